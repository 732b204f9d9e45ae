"""The lake's IO manager: every asset is a table at {root}/{layer}/{table}, partitioned by day.

The asset key names the place: `bronze_tweets` is `bronze/tweets`, `gold_daily_counts` is
`gold/daily_counts`. Writing a run's partitions replaces exactly those days, each whole, and
leaves every other day as it was; reading gives exactly the upstream partitions a downstream
step asks for.

Silver and gold are Delta tables: a run replaces its days in one commit of the table's log
(`replaceWhere`), atomic on any file system and over Spark Connect, whose user metadata names
the run, the asset and the days; the materialization records the version it made. Bronze is
JSON Lines text (one raw page per line) in a folder per day, with the day's fetch record.

The root is a folder or a URI (`file:///...`, `hdfs://...`, `s3a://...`). Bronze's two ways to
commit:

- A local root with the Spark driver in this process: Spark writes a private stage that
  `commit` swaps in day by day (one atomic exchange per day), and recovers after a crash.
- Any other root, or any root over Spark Connect: this process never touches the lake's files.
  Spark's own commit protocol does it through Hadoop's file systems, on the driver:
  dynamic partition overwrite writes the days into a hidden `.spark-staging-*` folder of the
  table and, once every task succeeded, replaces each day's folder with its staged one. A
  commit whose driver died half way is finished before the next read or write
  (`spark_commit`).
"""

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import dagster as dg
from dagster_pyspark import LazyPySparkResource
from py4j.protocol import Py4JJavaError
from pyspark.errors import PySparkException
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql.types import StructType

from tweet_assets.lake.commit import recover, staged
from tweet_assets.lake.delta_rs import first_rows, history
from tweet_assets.lake.fetch_records import (
    read_fetch_records,
    write_record_file,
    write_records_with_spark,
)
from tweet_assets.lake.layout import Table, local_folder
from tweet_assets.lake.locks import lock_days, release_step
from tweet_assets.lake.maintenance import optimize_table
from tweet_assets.lake.migration import refuse_legacy_lake
from tweet_assets.lake.raw_pages import RAW_SCHEMA, RawPages
from tweet_assets.lake.reader import days_in, read_days, refuse_legacy_layout
from tweet_assets.lake.spark_commit import finish_spark_commits
from tweet_assets.lake.writes import (
    create_delta_table,
    data_file_bytes,
    write_delta_days,
    write_in_place,
    write_raw_pages,
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


def _refuse_demo_over_api(spark: SparkSession, table: Table, pages: RawPages) -> None:
    """Refuse to write demo pages over days the lake holds from the X API: a token that went
    missing must not turn real days into invented posts. The API may replace demo days."""
    demo_days = [day for day, record in pages.records.items() if record.source == "demo"]
    if not demo_days:
        return
    fetched = sorted(
        row["date"]
        for row in read_fetch_records(spark, table, demo_days)
        .where(F.col("source") == "api")
        .select("date")
        .collect()
    )
    if fetched:
        listed = ", ".join(day.isoformat() for day in fetched)
        raise DemoOverApiError(
            f"{table.asset_name} holds {listed} as fetched from the X API; a run on the offline "
            f"demo corpus ({TOKEN} unset) never replaces such a day. Nothing was written. Set "
            f"{TOKEN} to fetch it again from the API, or, to replace it with demo posts on "
            f"purpose, delete the day's folders first: "
            + ", ".join(table.day_path(day) for day in fetched)
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

    def _commit_root(self, spark: SparkSession, table: Table) -> Path | None:
        """The lake's folder when this process commits into it itself (`commit`), or None
        when Spark's commit protocol does, on a driver that may be elsewhere."""
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
        root = self._commit_root(spark, table)
        swapped: list[str] = []  # the days the local commit put in place before a failure
        data_bytes: int | None = None  # the days' data files, as the commit counted them
        version: int | None = None  # the Delta table's version the write made
        try:
            if root is not None:
                # after the step's inputs (held shared since load_input): lowest layer first
                step = (context.run_id, context.step_key)
                lock_days(
                    root, table.asset_name, days, step=step, shared=False, waiting=context.log.info
                )
            if not isinstance(obj, RawPages):
                commit = {
                    "dagster_run_id": context.run_id,
                    "asset": table.asset_name,
                    "partitions": f"{days[0]}...{days[-1]}" if len(days) > 1 else str(days[0]),
                }
                if not refuse_legacy_layout(spark, table):
                    create_delta_table(obj, table.path, commit)
                rows_by_day = write_delta_days(obj, table.path, days, commit)
                version, data_bytes = _committed(spark, table, context.run_id, root is not None)
            elif root is None:
                _refuse_demo_over_api(spark, table, obj)
                finish_spark_commits(spark, table, is_connect(spark))
                rows_by_day = write_in_place(spark, obj, table.path)
                write_records_with_spark(spark, table, obj.records)
            else:
                _refuse_demo_over_api(spark, table, obj)
                # Spark writes into a private stage; the days are swapped in whole (commit).
                target = Path(table.path)
                recover(root, table.asset_name, target)
                with staged(root, table.asset_name, target, context.run_id) as stage:
                    swapped = stage.committed
                    rows_by_day = write_raw_pages(spark, obj, stage.path, str(stage.table))
                    for day, record in obj.records.items():
                        write_record_file(stage.table / f"date={day.isoformat()}", record)
                    data_bytes = data_file_bytes(stage.table)
                    stage.commit([day.isoformat() for day in days if day in rows_by_day])
        except (OSError, Py4JJavaError, PySparkException) as error:
            problem = _storage_problem(error)
            if problem is None:
                raise
            raise LakeWriteError(
                f"cannot write {context.asset_key.to_user_string()} for {days[0]}"
                f"{f' to {days[-1]}' if len(days) > 1 else ''} into the lake at {self.root}: "
                f"{problem}. No day was left half-written: {_kept(days, swapped)}. Fix: "
                f"make {self.root} writable with room for the run, or set {LAKE_ROOT} to a "
                "location that is, and materialize again."
            ) from None
        finally:
            if isinstance(obj, RawPages):
                obj.discard()
        schema = RAW_SCHEMA if isinstance(obj, RawPages) else _as_read(obj.schema)
        metadata = self._metadata(spark, table, days, rows_by_day, observed, schema, data_bytes)
        if version is not None:
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
        data_bytes: int | None,
    ) -> dict:
        metadata = {
            **(observed() if observed else {}),
            "lake_uri": dg.MetadataValue.path(table.path),
            "dagster/row_count": sum(rows_by_day.values()),
            "rows_by_day": {day.isoformat(): rows_by_day.get(day, 0) for day in days},
            **_written(
                spark, table, days, schema, data_bytes, self._commit_root(spark, table) is not None
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
        root = self._commit_root(spark, table)
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
        if not table.raw:
            # A Delta table's day without rows is one a run emptied (a day of no posts) or one
            # never written: only a table never written at all is refused as missing.
            if refuse_legacy_layout(spark, table):
                return read_days(spark, table, days)
            missing = days
        elif root is not None:
            recover(root, table.asset_name, Path(table.path))
            missing = [day for day in days if not Path(table.day_path(day)).is_dir()]
        else:
            finish_spark_commits(spark, table, is_connect(spark))
            missing = sorted(set(days) - days_in(spark, table))
        if missing:
            name, first = context.asset_key.to_user_string(), missing[0].isoformat()
            raise FileNotFoundError(
                f"{name} has no partition {first} in the lake at "
                f"{table.day_path(missing[0])} ({len(missing)} of {len(days)} days "
                f"missing); materialize it first: dagster asset materialize -m "
                f"tweet_assets.definitions --select {name} --partition {first}"
            )
        if (context.definition_metadata or {}).get(_FETCH_RECORDS):
            return read_fetch_records(spark, table, days)
        schema = (context.definition_metadata or {}).get(_JSON_SCHEMA)
        json_schema = StructType.fromJson(json.loads(schema)) if schema else None
        return read_days(spark, table, days, json_schema)


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


def _kept(days: list[date], swapped: list[str]) -> str:
    """Which of the run's days hold new rows after a failed write, and which kept the old."""
    if not swapped:
        return "the lake keeps what it had"
    old = [day.isoformat() for day in days if day.isoformat() not in swapped]
    return f"{', '.join(swapped)} now hold the new rows" + (
        f"; {', '.join(old)} keep what they had" if old else ""
    )


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
    data_bytes: int | None,
    local: bool,
) -> dict:
    """Column schema, bytes on disk and (for tables) the first rows of the days just written.

    The schema is the written frame's, and the commit counted the bytes (a Delta commit's
    metrics, a local stage), so only the preview reads the lake: the newest version, which the
    step's day locks keep the run's for its days, read by delta-rs where this process commits
    into a local lake (no Spark job), else by Spark; a raw write elsewhere lists its days too.
    """
    if data_bytes is None:
        # Spark lists the files as it lists a table (hidden files aside) and reads no content.
        paths = [table.day_path(day) for day in days]
        files = spark.read.format("binaryFile").option("basePath", table.path).load(paths)
        total = files.agg(F.sum("length").alias("bytes")).first()
        data_bytes = (total["bytes"] if total else None) or 0
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
