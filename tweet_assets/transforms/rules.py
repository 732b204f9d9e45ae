"""The rules a silver day must keep before gold may count it, as per-day problem flags.

Silver's blocking checks report them, and gold refuses a day that breaks one even when those
checks are not part of its run (`dagster asset materialize --select gold_daily_counts`).
"""

from collections.abc import Mapping

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F

# Flag column -> what is wrong with a day whose flag is true.
KEY_RULES = {
    "duplicate": "an id is null or appears twice",
    "no_author": "a post has no author_id",
    "no_time": "a post has no (or an unreadable) created_at",
}
DAY_RULES = {"outside": "a post was created on another day"}
BLOCKING_RULES = {**KEY_RULES, **DAY_RULES}


def rule_flags(rules: Mapping[str, str] = BLOCKING_RULES) -> list[Column]:
    """One boolean aggregate per flag of `rules` (a subset of BLOCKING_RULES), over the silver
    tweets of a day: true when the day breaks that rule."""
    flags = {
        "duplicate": lambda: F.count("*") != F.count_distinct("id"),
        "no_author": lambda: F.max(F.col("author_id").isNull()),
        "no_time": lambda: F.max(F.col("created_at").isNull()),
        "outside": lambda: F.max(F.to_date("created_at") != F.col("date")),
    }
    return [F.coalesce(flags[flag](), F.lit(False)).alias(flag) for flag in rules]


def rule_breaks(tweets: DataFrame, rules: Mapping[str, str] = BLOCKING_RULES) -> DataFrame:
    """Per day of silver tweets: `date` and one boolean per flag of `rules`."""
    return tweets.groupBy("date").agg(*rule_flags(rules))
