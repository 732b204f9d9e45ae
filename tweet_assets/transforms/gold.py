"""Silver tweets → gold: one row of counts per day, and whether the day is complete."""

from datetime import date

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F

SUMMED_METRICS = ["retweet_count", "reply_count", "like_count", "quote_count"]
COMPLETENESS_COLUMNS = ["expected_tweets", "fetched_at", "complete"]
GOLD_COLUMNS = [
    "date",
    "weekday",
    "tweets",
    "authors",
    "conversations",
    "replies",
    *SUMMED_METRICS,
    *COMPLETENESS_COLUMNS,
]
# A day is complete when its distinct posts reach this share of the API's own count.
COMPLETE_SHARE = 0.99


def daily_counts(tweets: DataFrame, days: list[date], fetches: DataFrame) -> DataFrame:
    """Per day in `days`: tweets, distinct authors and conversations, replies, metric sums,
    and the day's completeness from its fetch record (`fetches`, lake.read_fetch_records).

    `tweets` is silver tweets, which holds one row per (`date`, `id`): posts are counted by
    rows, and only authors and conversations need distinct counts. Every day gets a row, a day
    without tweets a row of zeros; `weekday` is Mon..Sun. A metric sum is null when every post
    of the day lacks that metric (unknown is not zero), else the sum over the posts that have it.

    `complete`: paging reached the last page, no cost cap cut it, no partial error dropped
    posts, and `tweets` reaches COMPLETE_SHARE of `expected_tweets` (the API's count; when the
    source cannot count, the rest decides). A day without a fetch record is not complete.
    """
    counts = tweets.groupBy("date").agg(
        F.count("*").alias("tweets"),
        F.count_distinct("author_id").alias("authors"),
        F.count_distinct("conversation_id").alias("conversations"),
        F.count("in_reply_to_user_id").alias("replies"),
        *[F.sum(metric).cast("long").alias(metric) for metric in SUMMED_METRICS],
    )
    calendar = tweets.sparkSession.createDataFrame([(day,) for day in days], "date date")
    paged_whole = F.col("reached_last_page") & ~F.col("truncated") & (F.col("dropping_errors") == 0)
    fetched = fetches.select(
        "date", "expected_tweets", "fetched_at", paged_whole.alias("paged_whole")
    )
    tweets_count = F.coalesce("tweets", F.lit(0)).cast("long")
    enough = F.col("expected_tweets").isNull() | (
        F.col("tweets") >= F.lit(COMPLETE_SHARE) * F.col("expected_tweets")
    )
    # A day without posts sums to zero; a day whose posts all lack a metric sums to null.
    sums: dict[str, Column | str] = {
        metric: F.when(F.col("tweets") == 0, F.lit(0).cast("long"))
        .otherwise(F.col(metric))
        .alias(metric)
        for metric in SUMMED_METRICS
    }
    return (
        calendar.join(counts, "date", "left")
        .join(fetched, "date", "left")
        .withColumn("tweets", tweets_count)
        .na.fill(0, ["authors", "conversations", "replies"])
        .withColumn("weekday", F.date_format("date", "EEE"))
        .withColumn("complete", F.coalesce(F.col("paged_whole") & enough, F.lit(False)))
        .select(*[sums.get(name, name) for name in GOLD_COLUMNS])
    )
