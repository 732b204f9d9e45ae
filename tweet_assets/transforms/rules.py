"""The rules a silver day must keep before gold may count it, as per-day problem flags.

Silver's blocking checks report them, and gold refuses a day that breaks one even when those
checks are not part of its run (`dagster asset materialize --select gold_daily_counts`).
"""

from pyspark.sql import DataFrame
from pyspark.sql import functions as F

# Flag column -> what is wrong with a day whose flag is true.
KEY_RULES = {
    "duplicate": "an id is null or appears twice",
    "no_author": "a post has no author_id",
    "no_time": "a post has no (or an unreadable) created_at",
}
DAY_RULES = {"outside": "a post was created on another day"}
BLOCKING_RULES = {**KEY_RULES, **DAY_RULES}


def rule_breaks(tweets: DataFrame) -> DataFrame:
    """Per day of silver tweets: `date` and one boolean per BLOCKING_RULES flag."""
    return tweets.groupBy("date").agg(
        (F.count("*") != F.count_distinct("id")).alias("duplicate"),
        F.max(F.col("author_id").isNull()).alias("no_author"),
        F.max(F.col("created_at").isNull()).alias("no_time"),
        F.coalesce(F.max(F.to_date("created_at") != F.col("date")), F.lit(False)).alias("outside"),
    )
