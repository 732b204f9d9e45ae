"""The lake: tables by layer and day; how a run's days are written, committed, locked, read and
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
from tweet_assets.lake.fetch_records import FETCH_FILE, FetchRecord, read_fetch_records
from tweet_assets.lake.io_manager import (
    LakeIOManager,
    LakeWriteError,
    WithMetadata,
    fetch_records,
    parsed_as_json,
)
from tweet_assets.lake.layout import Table, local_folder
from tweet_assets.lake.locks import release_step
from tweet_assets.lake.raw_pages import RawPages
from tweet_assets.lake.reader import days_in, read_days
from tweet_assets.lake.writes import write_parquet_days

__all__ = [
    "CATALOG_CONF",
    "FETCH_FILE",
    "READ_ONLY",
    "READ_ONLY_CONF",
    "WAREHOUSE",
    "FetchRecord",
    "LakeIOManager",
    "LakeWriteError",
    "RawPages",
    "Table",
    "TableNotOurs",
    "WithMetadata",
    "days_in",
    "fetch_records",
    "local_folder",
    "parsed_as_json",
    "read_days",
    "read_fetch_records",
    "register_tables",
    "release_step",
    "statement_refusal",
    "write_parquet_days",
]
