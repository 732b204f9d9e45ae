"""Silver tweets → gold: one row of counts per day, and whether the day is complete."""

from datetime import date

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F

from tweet_assets.transforms.rules import BLOCKING_RULES, rule_flags

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
    posts, and the distinct posts fetched reach COMPLETE_SHARE of `expected_tweets` (the API's
    count; when the source cannot count, the rest decides): bronze_tweets_complete's rule. A day
    without a fetch record is not complete.
    """
    return daily_rows(tweets, days, fetches).select(*GOLD_COLUMNS)


def daily_rows(tweets: DataFrame, days: list[date], fetches: DataFrame) -> DataFrame:
    """`daily_counts`, then one boolean per BLOCKING_RULES flag (false on a day without posts):
    gold's numbers and the rules it enforces, in one pass over silver."""
    counts = tweets.groupBy("date").agg(
        F.count("*").alias("tweets"),
        F.count_distinct("author_id").alias("authors"),
        F.count_distinct("conversation_id").alias("conversations"),
        F.count("in_reply_to_user_id").alias("replies"),
        *[F.sum(metric).cast("long").alias(metric) for metric in SUMMED_METRICS],
        *rule_flags(BLOCKING_RULES),
    )
    calendar = tweets.sparkSession.range(1).select(
        F.explode(F.array(*[F.lit(day) for day in days])).alias("date")
    )
    enough = F.col("expected_tweets").isNull() | (
        F.col("distinct_posts") >= F.lit(COMPLETE_SHARE) * F.col("expected_tweets")
    )
    whole = (
        F.col("reached_last_page") & ~F.col("truncated") & (F.col("dropping_errors") == 0) & enough
    )
    fetched = fetches.select("date", "expected_tweets", "fetched_at", whole.alias("complete"))
    # A day without posts sums to zero; a day whose posts all lack a metric sums to null.
    filled: dict[str, Column] = {
        metric: F.when(F.col("tweets") == 0, F.lit(0).cast("long"))
        .otherwise(F.col(metric))
        .alias(metric)
        for metric in SUMMED_METRICS
    }
    filled["complete"] = F.coalesce(F.col("complete"), F.lit(False)).alias("complete")
    return (
        calendar.join(counts, "date", "left")
        .join(fetched, "date", "left")
        .na.fill(0, ["tweets", "authors", "conversations", "replies"])
        .na.fill(False, list(BLOCKING_RULES))
        .withColumn("weekday", F.date_format("date", "EEE"))
        .select(*[filled.get(name, name) for name in [*GOLD_COLUMNS, *BLOCKING_RULES]])
    )
