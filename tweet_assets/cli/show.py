"""`tweet-lake show gold_daily_counts --from D --to D`: a silver or gold table as text."""

from datetime import date

from pyspark.sql import SparkSession

from tweet_assets import settings
from tweet_assets.cli.tables import cli_session, read_table


def main(
    config: settings.Settings, root: str, asset: str, first: date | None, last: date | None
) -> None:
    print_table(cli_session(config), root, asset, first, last)


def print_table(
    spark: SparkSession, root: str, asset: str, first: date | None, last: date | None
) -> None:
    """Print `asset`'s rows from `first` to `last`, read with `spark`, and how many."""
    frame = read_table(spark, root, asset, first, last)
    print(frame.to_string(index=False) if len(frame) else f"{asset}: no rows")
    print(f"({len(frame)} rows)")
