"""Asset checks: is each day of silver and gold right? Evaluated after every materialization.

A run covers one day or a range of days; each check looks at every day of the run and lists the
failing days, with what is wrong on each, in its metadata. The two row-level checks of
silver_tweets are blocking: when one fails, gold is not computed from bad silver.
"""

from collections.abc import Iterable

import dagster as dg
from pyspark.sql import DataFrame, Row
from pyspark.sql import functions as F

from tweet_assets.assets.gold import gold_daily_counts
from tweet_assets.assets.silver import BRONZE_PAGES, silver_tweets, silver_users
from tweet_assets.partitions import daily_partitions
from tweet_assets.transforms.gold import SUMMED_METRICS
from tweet_assets.transforms.silver import posts_from_pages


def _result(rows: Iterable[Row], problem_of: dict[str, str]) -> dg.AssetCheckResult:
    """Pass when no day's row has a true `problem_of` column; the metadata names each failure.

    `rows` hold one row per day: `date` and a boolean column per problem.
    """
    days = sorted(rows, key=lambda row: row["date"])
    failing = {}
    for row in days:
        problems = [text for column, text in problem_of.items() if row[column]]
        if problems:
            failing[row["date"].isoformat()] = "; ".join(problems)
    return dg.AssetCheckResult(
        passed=not failing,
        metadata={"days_checked": len(days), "failing_days": failing},
        description=(
            f"{len(failing)} of {len(days)} days fail: {', '.join(failing)}" if failing else None
        ),
    )


@dg.asset_check(asset=silver_tweets, blocking=True, partitions_def=daily_partitions)
def silver_tweets_keys_unique_and_present(silver_tweets: DataFrame) -> dg.AssetCheckResult:
    """Each post once a day, and every post has an id, an author_id and a created_at.
    Blocking: gold is not computed from a day that fails."""
    per_day = silver_tweets.groupBy("date").agg(
        (F.count("*") != F.count_distinct("id")).alias("duplicate"),
        F.max(F.col("author_id").isNull()).alias("no_author"),
        F.max(F.col("created_at").isNull()).alias("no_time"),
    )
    return _result(
        per_day.collect(),
        {
            "duplicate": "an id is null or appears twice",
            "no_author": "a post has no author_id",
            "no_time": "a post has no (or an unreadable) created_at",
        },
    )


@dg.asset_check(asset=silver_tweets, blocking=True, partitions_def=daily_partitions)
def silver_tweets_created_inside_their_day(silver_tweets: DataFrame) -> dg.AssetCheckResult:
    """Every post's created_at (UTC) falls on its partition's day. Blocking: a post filed under
    the wrong day would be counted on the wrong day in gold."""
    per_day = silver_tweets.groupBy("date").agg(
        F.max(F.to_date("created_at") != F.col("date")).alias("outside")
    )
    return _result(per_day.collect(), {"outside": "a post was created on another day"})


@dg.asset_check(
    asset=silver_tweets,
    additional_ins={"bronze_tweets": BRONZE_PAGES},
    partitions_def=daily_partitions,
)
def silver_tweets_match_bronze_ids(
    silver_tweets: DataFrame, bronze_tweets: DataFrame
) -> dg.AssetCheckResult:
    """Silver holds exactly one row per distinct post id of the day's bronze pages (of the posts
    that can be placed on the day: see BAD_RECORD_REASONS)."""
    bronze_ids = (
        posts_from_pages(bronze_tweets)
        .groupBy("date")
        .agg(F.count_distinct("id").alias("bronze_ids"))
    )
    rows = silver_tweets.groupBy("date").agg(F.count("*").alias("rows"))
    per_day = bronze_ids.join(rows, "date", "full").select(
        "date",
        (F.coalesce("rows", F.lit(0)) != F.coalesce("bronze_ids", F.lit(0))).alias("mismatch"),
    )
    return _result(per_day.collect(), {"mismatch": "silver rows differ from bronze's post ids"})


@dg.asset_check(asset=silver_users, partitions_def=daily_partitions)
def silver_users_ids_unique(silver_users: DataFrame) -> dg.AssetCheckResult:
    """Each author once a day."""
    per_day = silver_users.groupBy("date").agg(
        (F.count("*") != F.count_distinct("id")).alias("duplicate")
    )
    return _result(per_day.collect(), {"duplicate": "a user id is null or appears twice"})


@dg.asset_check(
    asset=gold_daily_counts,
    additional_ins={"silver_tweets": dg.AssetIn()},
    partitions_def=daily_partitions,
)
def gold_counts_match_silver(
    gold_daily_counts: DataFrame, silver_tweets: DataFrame
) -> dg.AssetCheckResult:
    """Each day's `tweets` equals silver's distinct post ids that day, and no sum is negative."""
    silver_ids = silver_tweets.groupBy("date").agg(F.count_distinct("id").alias("silver_ids"))
    per_day = gold_daily_counts.join(silver_ids, "date", "left").select(
        "date",
        (F.col("tweets") != F.coalesce("silver_ids", F.lit(0))).alias("mismatch"),
        F.greatest(*[F.col(metric) < 0 for metric in SUMMED_METRICS]).alias("negative"),
    )
    return _result(
        per_day.collect(),
        {"mismatch": "tweets differ from silver's post ids", "negative": "a sum is negative"},
    )


ASSET_CHECKS = [
    silver_tweets_keys_unique_and_present,
    silver_tweets_created_inside_their_day,
    silver_tweets_match_bronze_ids,
    silver_users_ids_unique,
    gold_counts_match_silver,
]
