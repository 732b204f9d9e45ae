"""Running the real definitions' assets in-process against a temporary lake, for the tests."""

from pathlib import Path

import dagster as dg
import pandas as pd

from tweet_assets.assets.bronze import bronze_tweets
from tweet_assets.assets.gold import gold_daily_counts
from tweet_assets.assets.silver import silver_tweets, silver_users
from tweet_assets.checks import ASSET_CHECKS
from tweet_assets.resources.lake_io_manager import LakeIOManager
from tweet_assets.resources.spark import spark_resource
from tweet_assets.resources.twitter import TwitterResource

ALL_ASSETS = [bronze_tweets, silver_tweets, silver_users, gold_daily_counts, *ASSET_CHECKS]


def materialize(
    lake: Path,
    twitter: TwitterResource,
    first_day: str,
    last_day: str | None = None,
    selection: str = "*",
    raise_on_error: bool = True,
    instance: dg.DagsterInstance | None = None,
) -> dg.ExecuteInProcessResult:
    """One run over [first_day, last_day] (a single partition when last_day is None)."""
    tags = {}
    partition_key = first_day
    if last_day is not None:
        partition_key = None
        tags = {
            "dagster/asset_partition_range_start": first_day,
            "dagster/asset_partition_range_end": last_day,
        }
    return dg.materialize(
        ALL_ASSETS,
        partition_key=partition_key,
        tags=tags,
        selection=selection,
        raise_on_error=raise_on_error,
        instance=instance,
        resources={
            "twitter": twitter,
            "io_manager": LakeIOManager(root=str(lake), pyspark=spark_resource("local[2]")),
        },
    )


def lake_files(lake: Path, day: str) -> dict[str, bytes]:
    """Every file of one day's partitions in every table, by path, with its bytes."""
    return {
        str(path.relative_to(lake)): path.read_bytes()
        for path in sorted(lake.glob(f"*/*/date={day}/*"))
    }


def read_table(lake: Path, table: str) -> pd.DataFrame:
    frame = pd.read_parquet(lake / table)
    frame["date"] = frame["date"].astype(str)
    return frame
