"""What every `tweet-lake` subcommand reads with: the runs' Spark settings, and one table reader."""

from datetime import date

import pandas as pd
from pyspark.sql import SparkSession
from pyspark.sql import functions as F

from tweet_assets import settings
from tweet_assets.lake import CATALOG_CONF, Table, days_in, read_days
from tweet_assets.spark import session_conf, start_session


def cli_session(config: settings.Settings) -> SparkSession:
    """The session a `tweet-lake` subcommand reads with: the runs' own Spark settings."""
    conf = {
        **session_conf(config.spark_master, config.spark_remote),
        **(CATALOG_CONF if config.spark_remote is None else {}),  # a server's are its own
        **config.spark_conf,
    }
    conf["spark.app.name"] = "tweet-lake-cli"
    return start_session(conf)


def read_table(
    spark: SparkSession, root: str, asset: str, first: date | None, last: date | None
) -> pd.DataFrame:
    """The rows of `asset` between `first` and `last` (inclusive; open when None), oldest first;
    exits saying what to run when there are none."""
    frame = read_table_if_any(spark, root, asset, first, last)
    if frame is None:
        raise SystemExit(
            f"{asset} has no rows{_between(first, last)} in the lake at "
            f"{Table.of(root, asset).path}; materialize it first (make demo)"
        )
    return frame


def read_table_if_any(
    spark: SparkSession, root: str, asset: str, first: date | None, last: date | None
) -> pd.DataFrame | None:
    """`read_table`'s rows, or None when the table has no day between `first` and `last`."""
    try:
        table = Table.of(root, asset)
    except ValueError as error:
        raise SystemExit(str(error)) from None
    if table.raw:
        raise SystemExit(f"{asset} is raw JSON Lines, not a table; pick a silver or gold asset")
    days = sorted(
        day
        for day in days_in(spark, table)
        if (first is None or day >= first) and (last is None or day <= last)
    )
    if not days:
        return None
    # Days written before a column was added show it empty.
    frame = read_days(spark, table, days, merge_schema=True)
    columns = ["date", *[c for c in frame.columns if c != "date"]]
    return frame.select(*columns).orderBy(*[F.col(c) for c in columns[:2]]).toPandas()


def _between(first: date | None, last: date | None) -> str:
    if first is None and last is None:
        return ""
    return f" from {first or 'the first'} to {last or 'the last'}"
