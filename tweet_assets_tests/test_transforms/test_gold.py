from datetime import date

from pyspark.sql import SparkSession

from tweet_assets.transforms.gold import GOLD_COLUMNS, daily_counts

SILVER = (
    "date date, id string, author_id string, conversation_id string, "
    "in_reply_to_user_id string, retweet_count long, reply_count long, like_count long, "
    "quote_count long"
)


def test_counts_match_a_hand_computed_day_and_an_empty_day_is_zeros(spark: SparkSession) -> None:
    friday, saturday = date(2026, 11, 20), date(2026, 11, 21)
    silver = spark.createDataFrame(
        [
            # id, author, conversation, reply target, retweets, replies, likes, quotes
            (friday, "1", "a", "1", None, 1, 2, 10, 0),
            (friday, "2", "b", "1", "a", 0, 0, 5, 1),
            (friday, "3", "a", "1", "b", 2, 1, None, 0),
            (friday, "4", "c", "4", None, 0, 0, 1, 0),
        ],
        SILVER,
    )

    gold = daily_counts(silver, [friday, saturday])

    assert gold.columns == GOLD_COLUMNS
    rows = {row["date"]: row.asDict() for row in gold.collect()}
    assert rows[friday] == {
        "date": friday,
        "weekday": "Fri",
        "tweets": 4,
        "authors": 3,
        "conversations": 2,
        "replies": 2,
        "retweet_count": 3,
        "reply_count": 3,
        "like_count": 16,
        "quote_count": 1,
    }
    assert rows[saturday] == {
        "date": saturday,
        "weekday": "Sat",
        "tweets": 0,
        "authors": 0,
        "conversations": 0,
        "replies": 0,
        "retweet_count": 0,
        "reply_count": 0,
        "like_count": 0,
        "quote_count": 0,
    }
