"""Silver tweets → gold: one row of counts per day."""

from datetime import date

from pyspark.sql import DataFrame
from pyspark.sql import functions as F

SUMMED_METRICS = ["retweet_count", "reply_count", "like_count", "quote_count"]
GOLD_COLUMNS = ["date", "weekday", "tweets", "authors", "conversations", "replies", *SUMMED_METRICS]


def daily_counts(tweets: DataFrame, days: list[date]) -> DataFrame:
    """Per day in `days`: tweets, distinct authors and conversations, replies, metric sums.

    `tweets` is silver tweets, which holds one row per (`date`, `id`): posts are counted by
    rows, and only authors and conversations need distinct counts. Every day gets a row, a day
    without tweets a row of zeros; `weekday` is Mon..Sun.
    """
    counts = tweets.groupBy("date").agg(
        F.count("*").alias("tweets"),
        F.count_distinct("author_id").alias("authors"),
        F.count_distinct("conversation_id").alias("conversations"),
        F.count("in_reply_to_user_id").alias("replies"),
        *[F.sum(metric).cast("long").alias(metric) for metric in SUMMED_METRICS],
    )
    calendar = tweets.sparkSession.createDataFrame([(day,) for day in days], "date date")
    return (
        calendar.join(counts, "date", "left")
        .na.fill(0, [c for c in GOLD_COLUMNS if c not in ("date", "weekday")])
        .withColumn("weekday", F.date_format("date", "EEE"))
        .select(*GOLD_COLUMNS)
    )
