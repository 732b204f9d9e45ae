import json
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path

import pytest
from pyspark.sql import DataFrame, SparkSession

from tweet_assets.transforms.silver import (
    PAGE_SCHEMA,
    TWEET_COLUMNS,
    USER_COLUMNS,
    tweets_from_pages,
    users_from_pages,
)
from tweet_assets_tests.support.fake_x_api import make_tweet, make_user

DAY = date(2026, 11, 20)
PagesOf = Callable[..., DataFrame]


@pytest.fixture
def pages_of(spark: SparkSession, tmp_path: Path) -> PagesOf:
    """Lays pages out as a bronze day (one JSON document per line) and reads them back the way
    silver does: Spark's JSON reader with PAGE_SCHEMA, the day from the partition folder."""

    def read(*pages: dict | str) -> DataFrame:
        lines = [p if isinstance(p, str) else json.dumps(p, ensure_ascii=False) for p in pages]
        folder = tmp_path / "bronze" / f"date={DAY}"
        folder.mkdir(parents=True)
        (folder / "part-00000.txt").write_text("".join(f"{line}\n" for line in lines))
        return (
            spark.read.option("basePath", str(tmp_path / "bronze"))
            .schema(PAGE_SCHEMA)
            .json(str(folder))
        )

    return read


def rows_by_id(df: DataFrame) -> dict[str, dict]:
    return {row["id"]: row.asDict() for row in df.collect()}


def test_tweets_are_typed_with_utc_timestamps_and_nullable_reply_target(
    pages_of: PagesOf,
) -> None:
    root = make_tweet("10", "2026-11-20T00:00:00.000Z", "1", "Olá, mundo ✨\nsegunda linha")
    reply = make_tweet(
        "11",
        "2026-11-20T23:59:59.999Z",
        "2",
        "@ana sim",
        reply_to=("1", "10"),
        conversation_id="10",
    )

    silver = tweets_from_pages(pages_of({"data": [reply, root], "meta": {"result_count": 2}}))

    assert silver.columns == ["date", *TWEET_COLUMNS]
    assert dict(silver.dtypes)["created_at"] == "timestamp"
    assert dict(silver.dtypes)["like_count"] == "bigint"
    rows = rows_by_id(silver)
    assert rows["10"]["in_reply_to_user_id"] is None
    assert rows["10"]["text"] == "Olá, mundo ✨\nsegunda linha"
    assert rows["11"]["in_reply_to_user_id"] == "1"
    assert rows["11"]["conversation_id"] == "10"
    # The session runs in UTC: the naive timestamps Spark hands back are UTC wall-clock times.
    assert rows["10"]["created_at"] == datetime(2026, 11, 20, 0, 0, 0)
    assert rows["11"]["created_at"] == datetime(2026, 11, 20, 23, 59, 59, 999000)
    assert rows["11"]["date"] == DAY
    assert (rows["11"]["retweet_count"], rows["11"]["impression_count"]) == (1, 50)


def test_pages_with_only_id_and_text_give_rows_with_null_fields(pages_of: PagesOf) -> None:
    page = {
        "data": [
            {"edit_history_tweet_ids": ["5"], "id": "5", "text": "tweepy"},
            {"id": "6", "text": "older answers had no edit history"},
        ],
        "meta": {"newest_id": "6", "oldest_id": "5", "result_count": 2},
    }

    rows = rows_by_id(tweets_from_pages(pages_of(page)))

    assert set(rows) == {"5", "6"}
    assert rows["5"]["text"] == "tweepy"
    assert rows["5"]["author_id"] is None and rows["5"]["like_count"] is None


def test_missing_metrics_are_null_and_reposts_count_as_retweets(pages_of: PagesOf) -> None:
    old = make_tweet(
        "1",
        "2026-11-20T01:00:00.000Z",
        "7",
        metrics={"retweet_count": 3, "reply_count": 0, "like_count": 9, "quote_count": 0},
    )
    renamed = make_tweet(
        "2",
        "2026-11-20T02:00:00.000Z",
        "7",
        metrics={
            "repost_count": 4,
            "reply_count": 1,
            "like_count": 2,
            "quote_count": 0,
            "impression_count": 70,
        },
    )

    rows = rows_by_id(tweets_from_pages(pages_of({"data": [renamed, old]})))

    assert rows["1"]["impression_count"] is None and rows["1"]["retweet_count"] == 3
    assert rows["2"]["retweet_count"] == 4 and rows["2"]["impression_count"] == 70


def test_edit_history_is_read_under_either_name(pages_of: PagesOf) -> None:
    tweets = [
        {"id": "1", "text": "a", "edit_history_tweet_ids": ["1"]},
        {"id": "2", "text": "b", "edit_history_post_ids": ["0", "2"]},
    ]

    rows = rows_by_id(tweets_from_pages(pages_of({"data": tweets})))

    assert rows["1"]["edit_history_tweet_ids"] == ["1"]
    assert rows["2"]["edit_history_tweet_ids"] == ["0", "2"]


def test_a_post_on_two_pages_is_kept_once_with_its_latest_counts(pages_of: PagesOf) -> None:
    first = make_tweet("1", "2026-11-20T01:00:00.000Z", "7")
    later = make_tweet(
        "1",
        "2026-11-20T01:00:00.000Z",
        "7",
        metrics={
            "retweet_count": 5,
            "reply_count": 2,
            "like_count": 30,
            "quote_count": 4,
            "impression_count": 900,
        },
    )
    other = make_tweet("2", "2026-11-20T02:00:00.000Z", "7")

    silver = tweets_from_pages(pages_of({"data": [other, first]}, {"data": [later]}))

    rows = rows_by_id(silver)
    assert silver.count() == 2
    assert rows["1"]["like_count"] == 30 and rows["1"]["impression_count"] == 900


def test_a_zero_result_day_gives_no_rows(pages_of: PagesOf) -> None:
    pages = pages_of('{"meta":{"result_count":0}}')

    assert tweets_from_pages(pages).count() == 0
    assert users_from_pages(pages).count() == 0


def test_users_are_one_row_per_id_and_day(pages_of: PagesOf) -> None:
    ana, bia = make_user("1", "ana"), make_user("2", "bia")
    pages = [
        {"data": [make_tweet("10", "2026-11-20T01:00:00.000Z", "1")], "includes": {"users": [ana]}},
        {
            "data": [make_tweet("11", "2026-11-20T02:00:00.000Z", "1")],
            "includes": {"users": [ana, bia]},
        },
    ]

    silver = users_from_pages(pages_of(*pages))

    assert silver.columns == ["date", *USER_COLUMNS]
    rows = rows_by_id(silver)
    assert set(rows) == {"1", "2"}
    assert rows["1"]["username"] == "ana" and rows["1"]["followers_count"] == 10
    assert rows["1"]["created_at"] == datetime(2015, 3, 4, 5, 6, 7)
    assert rows["1"]["date"] == DAY


def test_entities_and_the_first_reference_are_kept_per_post(pages_of: PagesOf) -> None:
    tagged = make_tweet("20", "2026-11-20T01:00:00.000Z", "1", "#Spark e #spark e #SPARK #Dados")
    tagged["entities"] = {
        "hashtags": [
            {"start": 0, "end": 6, "tag": "Spark"},
            {"start": 9, "end": 15, "tag": "spark"},
            {"start": 18, "end": 24, "tag": "SPARK"},
            {"start": 25, "end": 31, "tag": "Dados"},
        ],
        "mentions": [
            {"start": 0, "end": 4, "username": "ana", "id": "1"},
            {"start": 5, "end": 9, "username": "ana", "id": "1"},
        ],
        "urls": [
            {"start": 0, "end": 23, "url": "https://t.co/a", "expanded_url": "https://x.org/a"},
            {"start": 24, "end": 47, "url": "https://t.co/b"},
        ],
    }
    tagged["referenced_tweets"] = [{"type": "quoted", "id": "9"}, {"type": "replied_to", "id": "8"}]
    # Early API v2 named a mention's username `tag`; newer versions say posts and reposts.
    early = make_tweet("21", "2026-11-20T02:00:00.000Z", "2")
    early["entities"] = {"mentions": [{"start": 0, "end": 4, "tag": "bia"}], "hashtags": []}
    early["referenced_posts"] = [{"type": "reposted", "id": "7"}]
    retweet = make_tweet("22", "2026-11-20T03:00:00.000Z", "2")
    retweet["entities"] = {}
    retweet["referenced_tweets"] = [{"type": "retweeted", "id": "6"}]
    reply = make_tweet("23", "2026-11-20T04:00:00.000Z", "3", reply_to=("1", "20"))
    reply["entities"] = {"hashtags": [], "mentions": [], "urls": []}
    plain = make_tweet("24", "2026-11-20T05:00:00.000Z", "3")  # no entities, no references

    silver = tweets_from_pages(
        pages_of({"data": [tagged, early, retweet, reply, plain], "meta": {"result_count": 5}})
    )

    rows = rows_by_id(silver)
    got = {
        post_id: (row["hashtags"], row["mentions"], row["urls"], row["referenced_type"])
        for post_id, row in rows.items()
    }
    assert got == {
        "20": (["spark", "dados"], ["ana"], ["https://x.org/a", "https://t.co/b"], "quoted"),
        "21": ([], ["bia"], [], "retweeted"),
        "22": ([], [], [], "retweeted"),
        "23": ([], [], [], "replied_to"),
        "24": ([], [], [], None),
    }
