"""gold_daily_counts: the day-level numbers analysts chart."""

import dagster as dg
from pyspark.sql import DataFrame

from tweet_assets.partitions import daily_freshness, daily_partitions, days_in_window
from tweet_assets.transforms.gold import daily_counts


@dg.asset(
    partitions_def=daily_partitions,
    backfill_policy=dg.BackfillPolicy.single_run(),
    group_name="gold",
    kinds={"spark", "parquet"},
    freshness_policy=daily_freshness,
)
def gold_daily_counts(context: dg.AssetExecutionContext, silver_tweets: DataFrame) -> DataFrame:
    """One row per UTC day (zeros for a day without posts): weekday, distinct tweets, authors
    and conversations, replies, and the day's retweet, reply, like and quote sums."""
    return daily_counts(silver_tweets, days_in_window(context.partition_time_window))
