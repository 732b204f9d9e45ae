"""gold_daily_counts: the day-level numbers analysts chart."""

import dagster as dg
from pyspark.sql import DataFrame

from tweet_assets.assets.daily import daily_asset
from tweet_assets.partitions import days_in_window
from tweet_assets.transforms.gold import daily_counts

PLOTTED = ["tweets", "authors", "like_count"]


@daily_asset("gold", kinds={"spark", "parquet"})
def gold_daily_counts(context: dg.AssetExecutionContext, silver_tweets: DataFrame) -> dg.Output:
    """One row per UTC day (zeros for a day without posts): weekday, distinct tweets, authors
    and conversations, replies, and the day's retweet, reply, like and quote sums."""
    # A few rows, computed once: read here for the metadata, then written by the IO manager.
    counts = daily_counts(silver_tweets, days_in_window(context.partition_time_window))
    counts = counts.localCheckpoint()
    by_day = {
        row["date"].isoformat(): {name: row[name] for name in PLOTTED} for row in counts.collect()
    }
    metadata: dict = {"numbers_by_day": by_day}
    if len(by_day) == 1:
        # Numeric metadata of single-day runs is what Dagit's Plots tab charts per partition.
        [numbers] = by_day.values()
        metadata.update(numbers)
    else:
        metadata["plots"] = (
            "a range run gives all its partitions the same metadata, so the per-day numbers are "
            "in numbers_by_day rather than in plottable fields"
        )
    return dg.Output(counts, metadata=metadata)
