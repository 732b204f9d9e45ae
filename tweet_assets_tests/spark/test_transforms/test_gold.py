import dataclasses
from datetime import UTC, date, datetime

import pytest
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from tweet_assets.lake import FetchRecord
from tweet_assets.transforms.gold import (
    GOLD_COLUMNS,
    HASHTAG_COLUMNS,
    daily_counts,
    daily_hashtags,
    daily_rows,
)
from tweet_assets.transforms.rules import BLOCKING_RULES, rule_breaks

SILVER = (
    "date date, id string, author_id string, conversation_id string, "
    "in_reply_to_user_id string, retweet_count long, reply_count long, like_count long, "
    "quote_count long, created_at timestamp"
)
FRIDAY, SATURDAY, SUNDAY = date(2026, 11, 20), date(2026, 11, 21), date(2026, 11, 22)
FRIDAY_9AM = datetime(2026, 11, 20, 9)
FETCHED_AT = datetime(2026, 11, 22, 0, 15, 3, tzinfo=UTC)
FETCHES = (
    "date date, day string, source string, endpoint string, query string, account string, "
    "account_id string, posts long, "
    "distinct_posts long, pages long, requests long, reached_last_page boolean, "
    "truncated boolean, api_errors long, dropping_errors long, expected_tweets long, "
    "fetched_at timestamp, complete boolean"
)


def fetch_record(
    day: date, expected: int | None, *, posts: int = 4, **changes: object
) -> FetchRecord:
    """A day's record as bronze stores it: fetched, then counted (which gives its verdict)."""
    fields: dict = {
        "day": day.isoformat(),
        "source": "api",
        "endpoint": "recent",
        "query": "q",
        "account": None,
        "account_id": None,
        "posts": posts,
        "distinct_posts": posts,
        "pages": 1,
        "requests": 1,
        "reached_last_page": True,
        "truncated": False,
        "api_errors": 0,
        "dropping_errors": 0,
        "expected_tweets": None,
        "fetched_at": FETCHED_AT.isoformat(),
        **changes,
    }
    return FetchRecord(**fields).counted(expected)


def fetch(day: date, expected: int | None, **changes: object) -> tuple:
    """The record as `lake.read_fetch_records` reads it: its date, then its fields."""
    record = dataclasses.asdict(fetch_record(day, expected, **changes))
    return (day, *{**record, "fetched_at": FETCHED_AT}.values())


def four_posts(spark: SparkSession, likes: list[int | None] | None = None) -> DataFrame:
    likes = likes or [10, 5, None, 1]
    return spark.createDataFrame(
        [
            # id, author, conversation, reply target, retweets, replies, likes, quotes
            (FRIDAY, "1", "a", "1", None, 1, 2, likes[0], 0, FRIDAY_9AM),
            (FRIDAY, "2", "b", "1", "a", 0, 0, likes[1], 1, FRIDAY_9AM),
            (FRIDAY, "3", "a", "1", "b", 2, 1, likes[2], 0, FRIDAY_9AM),
            (FRIDAY, "4", "c", "4", None, 0, 0, likes[3], 0, FRIDAY_9AM),
        ],
        SILVER,
    )


def test_counts_match_a_hand_computed_day_and_an_empty_day_is_zeros(spark: SparkSession) -> None:
    fetches = spark.createDataFrame([fetch(FRIDAY, 4), fetch(SATURDAY, 0, posts=0)], FETCHES)

    gold = daily_counts(four_posts(spark), [FRIDAY, SATURDAY], fetches)

    assert gold.columns == GOLD_COLUMNS
    rows = {row["date"]: row.asDict() for row in gold.collect()}
    assert rows[FRIDAY] == {
        "date": FRIDAY,
        "weekday": "Fri",
        "tweets": 4,
        "authors": 3,
        "conversations": 2,
        "replies": 2,
        "retweet_count": 3,
        "reply_count": 3,
        "like_count": 16,
        "quote_count": 1,
        "expected_tweets": 4,
        "fetched_at": FETCHED_AT.replace(tzinfo=None),
        "complete": True,
        # no tracked account: unknown, not zero
        "account_posts": None,
        "account_replies": None,
        "account_conversation_posts": None,
    }
    assert rows[SATURDAY] == {
        "date": SATURDAY,
        "weekday": "Sat",
        "tweets": 0,
        "authors": 0,
        "conversations": 0,
        "replies": 0,
        "retweet_count": 0,
        "reply_count": 0,
        "like_count": 0,
        "quote_count": 0,
        "expected_tweets": 0,
        "fetched_at": FETCHED_AT.replace(tzinfo=None),
        "complete": True,
        # no tracked account: unknown, not zero
        "account_posts": None,
        "account_replies": None,
        "account_conversation_posts": None,
    }


def test_a_metric_no_post_has_is_null_and_a_partly_missing_one_sums_what_is_known(
    spark: SparkSession,
) -> None:
    silver = four_posts(spark, likes=[None, None, None, None]).withColumn(
        "retweet_count", F.lit(None).cast("long")
    )
    fetches = spark.createDataFrame([fetch(FRIDAY, 4)], FETCHES)

    [row] = daily_counts(silver, [FRIDAY], fetches).collect()

    assert row["tweets"] == 4
    assert row["like_count"] is None and row["retweet_count"] is None
    assert row["reply_count"] == 3 and row["quote_count"] == 1


@pytest.mark.parametrize(
    ("record", "complete"),
    [
        ({"expected": 4}, True),
        # 4 of 404 the API counts: search missed posts
        ({"expected": 404}, False),
        # 99% is enough: 4 of 4.04 rounds to 4 of 4, but 4 of 5 is not
        ({"expected": 5}, False),
        ({"expected": 4, "reached_last_page": False, "truncated": True}, False),
        ({"expected": 4, "dropping_errors": 1}, False),
        # the fetch's distinct posts decide (8 pages' posts, 3 distinct), not silver's 4 rows
        ({"expected": 4, "posts": 8, "distinct_posts": 3}, False),
        # the source cannot count: paging decides
        ({"expected": None}, True),
        ({"expected": None, "reached_last_page": False, "truncated": True}, False),
    ],
)
def test_a_day_is_complete_only_when_paged_whole_and_near_the_apis_count(
    spark: SparkSession, record: dict, complete: bool
) -> None:
    expected = record.pop("expected")
    fetches = spark.createDataFrame([fetch(FRIDAY, expected, **record)], FETCHES)

    [row] = daily_counts(four_posts(spark), [FRIDAY], fetches).collect()

    # one verdict, stored by bronze in the record: gold carries it, as the check reports it
    assert fetch_record(FRIDAY, expected, **record).complete is complete
    assert (row["complete"], row["expected_tweets"]) == (complete, expected)


def test_a_day_without_a_fetch_record_is_not_complete_and_its_count_unknown(
    spark: SparkSession,
) -> None:
    fetches = spark.createDataFrame([], FETCHES)

    [row] = daily_counts(four_posts(spark), [FRIDAY], fetches).collect()

    assert row["tweets"] == 4
    assert (row["complete"], row["expected_tweets"], row["fetched_at"]) == (False, None, None)


def test_gold_rows_flag_the_blocking_rules_in_the_same_pass_as_rule_breaks(
    spark: SparkSession,
) -> None:
    posts = four_posts(spark)
    broken = posts.unionByName(
        # post 4 again, and a post created the day before
        posts.where(F.col("id") == "4").unionByName(
            posts.where(F.col("id") == "1").withColumns(
                {"id": F.lit("5"), "created_at": F.lit(datetime(2026, 11, 19, 23))}
            )
        )
    )
    fetches = spark.createDataFrame([fetch(FRIDAY, 4), fetch(SATURDAY, 0, posts=0)], FETCHES)

    rows = {row["date"]: row for row in daily_rows(broken, [FRIDAY, SATURDAY], fetches).collect()}

    [breaks] = rule_breaks(broken).collect()
    flags = {flag: rows[FRIDAY][flag] for flag in BLOCKING_RULES}
    assert flags == {"duplicate": True, "no_author": False, "no_time": False, "outside": True}
    assert flags == {flag: breaks[flag] for flag in BLOCKING_RULES}
    # a day without posts breaks nothing
    assert not any(rows[SATURDAY][flag] for flag in BLOCKING_RULES)


def test_the_account_numbers_count_its_posts_the_replies_to_it_and_its_conversations(
    spark: SparkSession,
) -> None:
    def post(day: date, post_id: str, author: str, conversation: str, to: str | None) -> tuple:
        return (
            day,
            post_id,
            author,
            conversation,
            to,
            0,
            0,
            1,
            0,
            datetime(day.year, 11, day.day, 9),
        )

    silver = spark.createDataFrame(
        [
            post(FRIDAY, "1", "A", "c1", None),  # the account starts c1
            post(FRIDAY, "2", "u1", "c1", "A"),  # a reply to it, in its conversation
            post(FRIDAY, "3", "u2", "c1", "u1"),  # in its conversation
            post(FRIDAY, "4", "u3", "c2", "A"),  # a reply to it in a conversation it left alone
            post(FRIDAY, "5", "A", "c3", "u4"),  # the account answers in c3 ...
            post(FRIDAY, "6", "u4", "c3", None),  # ... which makes c3's root its conversation
            post(FRIDAY, "7", "u5", "c4", None),  # nothing to do with it
            # the next day, in Friday's conversation of the account: each day stands alone
            post(SATURDAY, "8", "u1", "c1", "u2"),
            # a day tracked for no account
            post(SUNDAY, "9", "A", "c5", None),
        ],
        SILVER,
    )
    fetches = spark.createDataFrame(
        [
            fetch(FRIDAY, 7, posts=7, account="Acct", account_id="A"),
            fetch(SATURDAY, 1, posts=1, account="Acct", account_id="A"),
            fetch(SUNDAY, 1, posts=1),
        ],
        FETCHES,
    )

    rows = daily_counts(silver, [FRIDAY, SATURDAY, SUNDAY], fetches).collect()

    numbers = {
        row["date"]: (
            row["account_posts"],
            row["account_replies"],
            row["account_conversation_posts"],
        )
        for row in rows
    }
    assert numbers == {FRIDAY: (2, 2, 3), SATURDAY: (0, 0, 0), SUNDAY: (None, None, None)}


def test_hashtags_count_distinct_posts_and_authors_per_day_and_sum_known_likes(
    spark: SparkSession,
) -> None:
    silver = spark.createDataFrame(
        [
            (FRIDAY, "1", "a", 10, ["spark", "dados"]),
            (FRIDAY, "2", "a", None, ["spark"]),
            (FRIDAY, "3", "b", 5, ["spark"]),
            (FRIDAY, "4", "c", None, ["sql"]),
            (FRIDAY, "5", "c", 1, []),
            (SATURDAY, "6", "a", 2, ["spark"]),
        ],
        "date date, id string, author_id string, like_count long, hashtags array<string>",
    )

    hashtags = daily_hashtags(silver)

    assert sorted(hashtags.columns) == sorted(HASHTAG_COLUMNS)
    rows = {(row["date"], row["hashtag"]): row for row in hashtags.collect()}
    got = {key: (row["tweets"], row["authors"], row["like_count"]) for key, row in rows.items()}
    assert got == {
        (FRIDAY, "spark"): (3, 2, 15),
        (FRIDAY, "dados"): (1, 1, 10),
        # no post using it had metrics: unknown, not zero
        (FRIDAY, "sql"): (1, 1, None),
        (SATURDAY, "spark"): (1, 1, 2),
    }
