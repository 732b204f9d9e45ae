"""The lake: tables by layer and day; how a run's days are written as Delta tables, locked, read and
queried with SQL."""

from tweet_assets.lake.catalog import (
    CATALOG_CONF,
    READ_ONLY,
    READ_ONLY_CONF,
    WAREHOUSE,
    TableNotOurs,
    register_tables,
    statement_refusal,
)
from tweet_assets.lake.delta_rs import AsOfError, read_delta
from tweet_assets.lake.fetch_records import FetchRecord, read_fetch_records
from tweet_assets.lake.io_manager import (
    LakeIOManager,
    LakeWriteError,
    WithMetadata,
    fetch_records,
    parsed_as_json,
)
from tweet_assets.lake.layout import LegacyLayoutError, Table, local_folder
from tweet_assets.lake.locks import release_step
from tweet_assets.lake.maintenance import MIN_RETAIN_DAYS, RetentionTooShort, optimize_table
from tweet_assets.lake.migration import convert_legacy_table
from tweet_assets.lake.raw_pages import RawPages
from tweet_assets.lake.reader import days_in, read_days

__all__ = [
    "CATALOG_CONF",
    "MIN_RETAIN_DAYS",
    "READ_ONLY",
    "READ_ONLY_CONF",
    "WAREHOUSE",
    "AsOfError",
    "FetchRecord",
    "LakeIOManager",
    "LakeWriteError",
    "LegacyLayoutError",
    "RawPages",
    "RetentionTooShort",
    "Table",
    "TableNotOurs",
    "WithMetadata",
    "convert_legacy_table",
    "days_in",
    "fetch_records",
    "local_folder",
    "optimize_table",
    "parsed_as_json",
    "read_days",
    "read_delta",
    "read_fetch_records",
    "register_tables",
    "release_step",
    "statement_refusal",
]
