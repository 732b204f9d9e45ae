import json
from datetime import date, datetime

from pyspark.sql import DataFrame, SparkSession

from tweet_assets.transforms.silver import (
    TWEET_COLUMNS,
    USER_COLUMNS,
    tweets_from_pages,
    users_from_pages,
)
from tweet_assets_tests.fake_x_api import make_tweet, make_user

DAY = date(2026, 11, 20)


def raw(spark: SparkSession, *pages: dict | str, day: date = DAY) -> DataFrame:
    lines = [p if isinstance(p, str) else json.dumps(p, ensure_ascii=False) for p in pages]
    return spark.createDataFrame([(line, day) for line in lines], "value string, date date")


def rows_by_id(df: DataFrame) -> dict[str, dict]:
    return {row["id"]: row.asDict() for row in df.collect()}


def test_tweets_are_typed_with_utc_timestamps_and_nullable_reply_target(
    spark: SparkSession,
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

    silver = tweets_from_pages(raw(spark, {"data": [reply, root], "meta": {"result_count": 2}}))

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


def test_pages_with_only_id_and_text_give_rows_with_null_fields(spark: SparkSession) -> None:
    page = {
        "data": [
            {"edit_history_tweet_ids": ["5"], "id": "5", "text": "tweepy"},
            {"id": "6", "text": "older answers had no edit history"},
        ],
        "meta": {"newest_id": "6", "oldest_id": "5", "result_count": 2},
    }

    rows = rows_by_id(tweets_from_pages(raw(spark, page)))

    assert set(rows) == {"5", "6"}
    assert rows["5"]["text"] == "tweepy"
    assert rows["5"]["author_id"] is None and rows["5"]["like_count"] is None


def test_missing_metrics_are_null_and_reposts_count_as_retweets(spark: SparkSession) -> None:
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

    rows = rows_by_id(tweets_from_pages(raw(spark, {"data": [renamed, old]})))

    assert rows["1"]["impression_count"] is None and rows["1"]["retweet_count"] == 3
    assert rows["2"]["retweet_count"] == 4 and rows["2"]["impression_count"] == 70


def test_edit_history_is_read_under_either_name(spark: SparkSession) -> None:
    tweets = [
        {"id": "1", "text": "a", "edit_history_tweet_ids": ["1"]},
        {"id": "2", "text": "b", "edit_history_post_ids": ["0", "2"]},
    ]

    rows = rows_by_id(tweets_from_pages(raw(spark, {"data": tweets})))

    assert rows["1"]["edit_history_tweet_ids"] == ["1"]
    assert rows["2"]["edit_history_tweet_ids"] == ["0", "2"]


def test_a_post_on_two_pages_is_kept_once_with_its_latest_counts(spark: SparkSession) -> None:
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

    silver = tweets_from_pages(raw(spark, {"data": [other, first]}, {"data": [later]}))

    rows = rows_by_id(silver)
    assert silver.count() == 2
    assert rows["1"]["like_count"] == 30 and rows["1"]["impression_count"] == 900


def test_a_zero_result_day_gives_no_rows(spark: SparkSession) -> None:
    pages = raw(spark, '{"meta":{"result_count":0}}')

    assert tweets_from_pages(pages).count() == 0
    assert users_from_pages(pages).count() == 0


def test_users_are_one_row_per_id_and_day(spark: SparkSession) -> None:
    ana, bia = make_user("1", "ana"), make_user("2", "bia")
    pages = [
        {"data": [make_tweet("10", "2026-11-20T01:00:00.000Z", "1")], "includes": {"users": [ana]}},
        {
            "data": [make_tweet("11", "2026-11-20T02:00:00.000Z", "1")],
            "includes": {"users": [ana, bia]},
        },
    ]

    silver = users_from_pages(raw(spark, *pages))

    assert silver.columns == ["date", *USER_COLUMNS]
    rows = rows_by_id(silver)
    assert set(rows) == {"1", "2"}
    assert rows["1"]["username"] == "ana" and rows["1"]["followers_count"] == 10
    assert rows["1"]["created_at"] == datetime(2015, 3, 4, 5, 6, 7)
    assert rows["1"]["date"] == DAY
