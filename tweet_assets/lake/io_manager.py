"""The lake's IO manager: every asset is a Delta table at {root}/{layer}/{table}, partitioned by
day.

The asset key names the place: `bronze_tweets` is `bronze/tweets`, `gold_daily_counts` is
`gold/daily_counts`. Writing a run's partitions replaces exactly those days, each whole, in one
commit of the table's log, atomic on any file system (a folder, `file://`, `hdfs://`, `s3a://`)
and over Spark Connect, and leaves every other day as it was (`lake.writes`: in a local folder
Spark writes the files and delta-rs commits them; elsewhere Delta's `replaceWhere`); the commit's
user metadata names the run, the asset and the days, and the materialization records the
version it made. Reading gives exactly the upstream partitions a downstream step asks for.

Bronze holds each API page as a row, byte for byte, with its place in its day and the day's
fetch record (`lake.fetch_records`); the other layers hold the rows their assets return.
"""

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import dagster as dg
from dagster_pyspark import LazyPySparkResource
from deltalake.exceptions import DeltaError
from py4j.protocol import Py4JJavaError
from pyspark.errors import PySparkException
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql.types import StructType

from tweet_assets.lake import delta_rs
from tweet_assets.lake.delta_rs import first_rows, history
from tweet_assets.lake.fetch_records import days_fetched_from, read_fetch_records
from tweet_assets.lake.layout import Table, local_folder
from tweet_assets.lake.locks import lock_days, release_step
from tweet_assets.lake.maintenance import optimize_table
from tweet_assets.lake.migration import refuse_legacy_lake
from tweet_assets.lake.raw_pages import RawPages
from tweet_assets.lake.reader import days_of, open_table, read_days, refuse_legacy_layout
from tweet_assets.lake.writes import (
    create_delta_table,
    pages_frame,
    user_metadata,
    write_delta_days,
    write_local_days,
)
from tweet_assets.partitions import days_in_window
from tweet_assets.settings import LAKE_ROOT, TOKEN
from tweet_assets.spark import check_session, is_connect, session_of

# Input metadata: a consumer of a raw table that sets it to a Spark schema (`StructType.json()`)
# gets the lines parsed as JSON with that schema (schema-on-read) instead of as text.
_JSON_SCHEMA = "json_schema"
# Input metadata: a consumer of a raw table that sets it gets the days' fetch records
# (lake.fetch_records) instead of their pages.
_FETCH_RECORDS = "fetch_records"
PREVIEW_ROWS = 5


def parsed_as_json(schema: StructType) -> dict[str, str]:
    """Input metadata asking the lake for a raw table's pages parsed with `schema`."""
    return {_JSON_SCHEMA: schema.json()}


def fetch_records() -> dict[str, bool]:
    """Input metadata asking the lake for a raw table's fetch records of the days, not pages."""
    return {_FETCH_RECORDS: True}


@dataclass(frozen=True)
class WithMetadata:
    """A DataFrame to store, and the metadata to record once it is written.

    For counts that Spark observes during the write (`DataFrame.observe`): they are known only
    after it, and cost no pass of their own.
    """

    frame: DataFrame
    metadata: Callable[[], dict]


class LakeWriteError(Exception):
    """The lake's file system refused a write (full, read-only, not a folder, no permission)."""


class DemoOverApiError(Exception):
    """A run on the offline demo corpus would replace days fetched from the X API."""


def _refuse_demo_over_api(spark: SparkSession, table: Table, pages: RawPages, local: bool) -> None:
    """Refuse to write demo pages over days the lake holds from the X API: a token that went
    missing must not turn real days into invented posts. The API may replace demo days."""
    demo_days = [day for day, record in pages.records.items() if record.source == "demo"]
    if not demo_days:
        return
    fetched = days_fetched_from(spark, table, demo_days, "api", local)
    if fetched:
        listed = ", ".join(day.isoformat() for day in fetched)
        raise DemoOverApiError(
            f"{table.asset_name} holds {listed} as fetched from the X API; a run on the offline "
            f"demo corpus ({TOKEN} unset) never replaces such a day. Nothing was written. Set "
            f"{TOKEN} to fetch it again from the API, or, to replace it with demo posts on "
            "purpose, delete the days from bronze first, e.g. with delta-rs: "
            f'deltalake.DeltaTable({table.path!r}).delete("date IN ('
            + ", ".join(f"'{day.isoformat()}'" for day in fetched)
            + ')")'
        )


class LakeIOManager(dg.ConfigurableIOManager):
    """Stores daily partitions of the medallion tables under `root` with PySpark.

    Fails with a message naming the table and partition when a downstream step needs an upstream
    day that is not in the lake, and when a write would touch days outside its partitions.
    """

    root: str
    pyspark: LazyPySparkResource

    def setup_for_execution(self, context: dg.InitResourceContext) -> None:
        # A lake of the earlier layout stops every step before it writes (bronze included):
        # converted by `tweet-lake migrate`, nothing of it lost. A root elsewhere is checked
        # table by table as each is read or written.
        folder = local_folder(self.root)
        if folder is not None:
            refuse_legacy_lake(self.root, folder)

    def optimize(self, asset_keys: list[dg.AssetKey], retain_days: int) -> list[str]:
        """Compact and vacuum each asset's Delta table (`maintenance.optimize_table`)."""
        spark = session_of(self.pyspark)
        return [optimize_table(spark, self._table(key), retain_days) for key in asset_keys]

    def _table(self, asset_key: dg.AssetKey) -> Table:
        return Table.of(self.root, asset_key)

    def _local_root(self, spark: SparkSession, table: Table) -> Path | None:
        """The lake's folder when it is on this machine and so is Spark's driver (the day
        locks', the pages' spool and delta-rs's place), or None for a lake elsewhere or a
        driver behind Spark Connect."""
        return None if is_connect(spark) else table.root_folder

    def handle_output(
        self, context: dg.OutputContext, obj: DataFrame | RawPages | WithMetadata
    ) -> None:
        # The step's days stay held until its last output is written: a step's next lock
        # (lock_days) or the run's end (teardown) lets them go, so both silver tables come
        # from the bronze the step read.
        context.add_output_metadata(self._store(context, obj))

    def teardown_after_execution(self, context: dg.InitResourceContext) -> None:
        release_step()  # the run's (or, one process a step, the step's) last days

    def _store(self, context: dg.OutputContext, obj: DataFrame | RawPages | WithMetadata) -> dict:
        """Write the run's days of the table; the metadata of the write."""
        observed: Callable[[], dict] | None = None
        if isinstance(obj, WithMetadata):
            observed, obj = obj.metadata, obj.frame
        table = self._table(context.asset_key)
        days = days_in_window(context.asset_partitions_time_window)
        spark = session_of(self.pyspark)
        check_session(spark)
        root = self._local_root(spark, table)
        pages = obj if isinstance(obj, RawPages) else None
        try:
            if root is not None:
                # after the step's inputs (held shared since load_input): lowest layer first
                step = (context.run_id, context.step_key)
                lock_days(
                    root, table.asset_name, days, step=step, shared=False, waiting=context.log.info
                )
            if pages is not None:
                _refuse_demo_over_api(spark, table, pages, root is not None)
                frame = pages_frame(spark, pages, pages.folder if root is not None else None)
            else:
                assert isinstance(obj, DataFrame)
                frame = obj
            commit = {
                "dagster_run_id": context.run_id,
                "asset": table.asset_name,
                "partitions": f"{days[0]}...{days[-1]}" if len(days) > 1 else str(days[0]),
            }
            written: int | None = None
            if root is not None:  # its layout checked at the run's start
                if not delta_rs.exists(table):
                    delta_rs.create(table, frame.schema.jsonValue(), user_metadata(commit))
                rows_by_day, written = write_local_days(frame, table, days, commit)
            else:
                if not refuse_legacy_layout(spark, table):
                    create_delta_table(frame, table.path, commit)
                rows_by_day = write_delta_days(frame, table.path, days, commit)
            version, data_bytes = _committed(spark, table, context.run_id, root is not None)
            data_bytes = data_bytes if written is None else written
            schema = _as_read(frame.schema)
        except (OSError, Py4JJavaError, PySparkException, DeltaError) as error:
            problem = _storage_problem(error)
            if problem is None:
                raise
            raise LakeWriteError(
                f"cannot write {context.asset_key.to_user_string()} for {days[0]}"
                f"{f' to {days[-1]}' if len(days) > 1 else ''} into the lake at {self.root}: "
                f"{problem}. No day was left half-written: the lake keeps what it had. Fix: "
                f"make {self.root} writable with room for the run, or set {LAKE_ROOT} to a "
                "location that is, and materialize again."
            ) from None
        finally:
            if pages is not None:
                pages.discard()
        if pages is not None:  # bronze counts pages, not rows
            rows_by_day = dict(pages.pages_by_day)
        metadata = self._metadata(spark, table, days, rows_by_day, observed, schema, data_bytes)
        metadata["table_version"] = version
        return metadata

    def _metadata(
        self,
        spark: SparkSession,
        table: Table,
        days: list[date],
        rows_by_day: dict[date, int],
        observed: Callable[[], dict] | None,
        schema: StructType,
        data_bytes: int,
    ) -> dict:
        metadata = {
            **(observed() if observed else {}),
            "lake_uri": dg.MetadataValue.path(table.path),
            "dagster/row_count": sum(rows_by_day.values()),
            "rows_by_day": {day.isoformat(): rows_by_day.get(day, 0) for day in days},
            **_written(
                spark, table, days, schema, data_bytes, self._local_root(spark, table) is not None
            ),
        }
        if len(days) > 1:
            # Dagster copies a range run's metadata onto each of its partitions.
            metadata["scope"] = (
                f"the whole run: {len(days)} days, {days[0]} to {days[-1]}; rows_by_day splits "
                "the row count per day"
            )
        return metadata

    def load_input(self, context: dg.InputContext) -> DataFrame:
        table = self._table(context.asset_key)
        days = days_in_window(context.asset_partitions_time_window)
        spark = session_of(self.pyspark)
        root = self._local_root(spark, table)
        if root is not None:
            step = context.step_context
            lock_days(
                root,
                table.asset_name,
                days,
                step=(step.run_id, step.step.key),
                shared=True,
                waiting=context.log.info,
            )
        # Every day bronze fetched has a row (a day without a page, its fetch record); a silver
        # or gold day without rows is one of no posts (a run emptied it).
        if root is not None:  # its layout checked at the run's start: one read of the log
            held = delta_rs.days_held(table) if table.raw else None
            written = held is not None if table.raw else delta_rs.exists(table)
        else:
            frame = open_table(spark, table)
            written = frame is not None
            held = days_of(frame) if frame is not None and table.raw else None
        if not written:
            missing = days
        elif held is not None:
            missing = sorted(set(days) - held)
        else:
            missing = []
        if missing:
            name, first = context.asset_key.to_user_string(), missing[0].isoformat()
            raise FileNotFoundError(
                f"{name} has no partition {first} in the lake at "
                f"{table.day_path(missing[0])} ({len(missing)} of {len(days)} days "
                f"missing); materialize it first: dagster asset materialize -m "
                f"tweet_assets.definitions --select {name} --partition {first}"
            )
        local = root is not None
        if (context.definition_metadata or {}).get(_FETCH_RECORDS):
            return read_fetch_records(spark, table, days, local)
        schema = (context.definition_metadata or {}).get(_JSON_SCHEMA)
        json_schema = StructType.fromJson(json.loads(schema)) if schema else None
        return read_days(spark, table, days, json_schema, local)


# What the file system said, as Java and Python word it; the first found names the problem.
_STORAGE_PROBLEMS = (
    "No space left on device",
    "Disk quota exceeded",
    "Read-only file system",
    "Permission denied",
    "Not a directory",
)


def _committed(spark: SparkSession, table: Table, run_id: str, local: bool) -> tuple[int, int]:
    """The version of the Delta table the run's write made, and the bytes it wrote: the newest
    commit naming the run (another run may have committed since). Read by delta-rs in a local
    lake this process commits into, else by Spark's `DESCRIBE HISTORY`."""
    if local:
        commits = history(table, 5)
    else:
        path = table.path.replace("`", "``")
        commits = [
            r.asDict() for r in spark.sql(f"DESCRIBE HISTORY delta.`{path}` LIMIT 5").collect()
        ]
    for commit in commits:
        made = json.loads(commit.get("userMetadata") or "{}")
        if made.get("dagster_run_id") == run_id and made.get("asset") == table.asset_name:
            metrics = commit.get("operationMetrics") or {}
            return commit["version"], int(metrics.get("numOutputBytes", 0))
    # A write that changed nothing (no rows before or after) where the session skips empty
    # commits (a Spark Connect server's default): the newest version holds the run's days.
    return commits[0]["version"], 0


def _storage_problem(error: BaseException) -> str | None:
    """The file-system reason behind a failed write, or None when it failed for another reason."""
    if isinstance(error, OSError) and error.errno is not None:
        return f"{error.strerror} ({error.filename})" if error.filename else error.strerror
    text = str(error)
    return next((problem for problem in _STORAGE_PROBLEMS if problem in text), None)


def _as_read(schema: StructType) -> StructType:
    """`schema` of a frame written partitioned by `date`, as the table reads it back: the
    partition column last."""
    return StructType([f for f in schema if f.name != "date"] + [schema["date"]])


def _written(
    spark: SparkSession,
    table: Table,
    days: list[date],
    schema: StructType,
    data_bytes: int,
    local: bool,
) -> dict:
    """Column schema, bytes on disk and (for tables) the first rows of the days just written.

    The schema is the written frame's, and the commit counted the bytes (its metrics), so only
    the preview reads the lake: the newest version, which the step's day locks keep the run's
    for its days, read by delta-rs where this process commits into a local lake (no Spark
    job), else by Spark. Bronze's pages get no preview.
    """
    columns = dg.TableSchema([dg.TableColumn(f.name, f.dataType.simpleString()) for f in schema])
    metadata: dict = {
        "dagster/column_schema": columns,
        "bytes_written": data_bytes,
    }
    if not table.raw:
        if local:
            rows = first_rows(table, days, PREVIEW_ROWS)
        else:
            rows = [r.asDict() for r in read_days(spark, table, days).limit(PREVIEW_ROWS).collect()]
        records = [
            dg.TableRecord(
                {
                    k: v if isinstance(v, int | float | bool) or v is None else str(v)
                    for k, v in row.items()
                }
            )
            for row in rows
        ]
        metadata["preview"] = dg.MetadataValue.table(records, schema=columns)
    return metadata
