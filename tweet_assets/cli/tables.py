"""What every `tweet-lake` subcommand reads with: the runs' Spark settings (sql, sql-server,
migrate), and one table reader without a JVM (show, report, demo)."""

from datetime import date

import pandas as pd
from pyspark.sql import SparkSession

from tweet_assets import settings
from tweet_assets.lake import CATALOG_CONF, AsOfError, LegacyLayoutError, Table, read_delta
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
    root: str, asset: str, first: date | None, last: date | None, as_of: str | None = None
) -> pd.DataFrame:
    """The rows of `asset` between `first` and `last` (inclusive; open when None) at `as_of`,
    oldest first; exits saying what to run when there are none."""
    frame = read_table_if_any(root, asset, first, last, as_of)
    if frame is None:
        raise SystemExit(
            f"{asset} has no rows{_between(first, last)} in the lake at "
            f"{Table.of(root, asset).path}; materialize it first (make demo)"
        )
    return frame


def read_table_if_any(
    root: str, asset: str, first: date | None, last: date | None, as_of: str | None = None
) -> pd.DataFrame | None:
    """`read_table`'s rows, or None when the table has no day between `first` and `last`.

    Read with delta-rs, through the table's log: no Spark session and no JVM."""
    try:
        table = Table.of(root, asset)
    except ValueError as error:
        raise SystemExit(str(error)) from None
    if table.raw:
        raise SystemExit(f"{asset} is raw JSON Lines, not a table; pick a silver or gold asset")
    try:
        return read_delta(table, first, last, as_of)
    except (AsOfError, LegacyLayoutError) as error:
        raise SystemExit(str(error)) from None


def _between(first: date | None, last: date | None) -> str:
    if first is None and last is None:
        return ""
    return f" from {first or 'the first'} to {last or 'the last'}"
