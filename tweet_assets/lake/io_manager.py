"""The lake: every asset is a table at {root}/{layer}/{table}/date=YYYY-MM-DD/.

The asset key names the place: `bronze_tweets` is `bronze/tweets`, `gold_daily_counts` is
`gold/daily_counts`. Bronze is JSON Lines text (one raw page per line), the other layers are
Parquet. Writing a run's partitions replaces exactly those partition folders, each whole, and
leaves every other day as it was; reading gives exactly the upstream partitions a downstream
step asks for.

The root is a folder or a URI (`file:///...`, `hdfs://...`, `s3a://...`). Two ways to commit:

- A local root with the Spark driver in this process: Spark writes a private stage that
  `lake_commit` swaps in day by day (one atomic exchange per day), and recovers after a crash.
- Any other root, or any root over Spark Connect: this process never touches the lake's files.
  Spark's own commit protocol does it through Hadoop's file systems, on the driver:
  dynamic partition overwrite writes the days into a hidden `.spark-staging-*` folder of the
  table and, once every task succeeded, replaces each day's folder with its staged one.
"""

import functools
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from urllib.parse import unquote, urlparse

import dagster as dg
import pyarrow.parquet as pq
from dagster_pyspark import LazyPySparkResource
from py4j.protocol import Py4JJavaError
from pyspark.errors import AnalysisException, PySparkException
from pyspark.sql import DataFrame, Observation, SparkSession
from pyspark.sql import functions as F
from pyspark.sql.types import StructType

from tweet_assets.partitions import days_in_window
from tweet_assets.raw_pages import CHUNK_SCHEMA, RawPages
from tweet_assets.resources.lake_commit import recover, staged
from tweet_assets.resources.spark import check_session, is_connect

RAW_LAYER = "bronze"
# Input metadata: a consumer of a raw table that sets it to a Spark schema (`StructType.json()`)
# gets the lines parsed as JSON with that schema (schema-on-read) instead of as text.
JSON_SCHEMA = "json_schema"
PREVIEW_ROWS = 5


def local_folder(root: str) -> Path | None:
    """`root` as a folder of this machine (a path or a `file:` URI), or None for another
    file system's URI (`hdfs://...`, `s3a://...`)."""
    location = urlparse(root)
    if location.scheme == "file":
        return Path(unquote(location.path)).absolute()
    return Path(root).absolute() if not location.scheme else None


def table_path_in(root: str, asset_key: dg.AssetKey) -> str:
    """Where the lake at `root` keeps the table of `asset_key`: a path or a URI."""
    layer, table = table_of(asset_key)
    folder = local_folder(root)
    return f"{folder if folder else root.rstrip('/')}/{layer}/{table}"


def table_of(asset_key: dg.AssetKey) -> tuple[str, str]:
    """(`layer`, `table`) of an asset named `{layer}_{table}`."""
    layer, _, table = asset_key.path[-1].partition("_")
    if not table:
        raise ValueError(
            f"asset {asset_key.to_user_string()} has no lake table: name lake assets "
            "{layer}_{table}, e.g. silver_tweets"
        )
    return layer, table


@dataclass(frozen=True)
class WithMetadata:
    """A DataFrame to store, and the metadata to record once it is written.

    For counts that Spark observes during the write (`DataFrame.observe`): they are known only
    after it, and cost no pass of their own.
    """

    frame: DataFrame
    metadata: Callable[[], dict]


class LakeIOManager(dg.ConfigurableIOManager):
    """Stores daily partitions of the medallion tables under `root` with PySpark.

    Fails with a message naming the table and partition when a downstream step needs an upstream
    day that is not in the lake, and when a write would touch days outside its partitions.
    """

    root: str
    pyspark: LazyPySparkResource

    def _table_path(self, asset_key: dg.AssetKey) -> str:
        return table_path_in(self.root, asset_key)

    def _commit_root(self, spark: SparkSession) -> Path | None:
        """The lake's folder when this process commits into it itself (`lake_commit`), or None
        when Spark's commit protocol does, on a driver that may be elsewhere."""
        return None if is_connect(spark) else local_folder(self.root)

    def handle_output(
        self, context: dg.OutputContext, obj: DataFrame | RawPages | WithMetadata
    ) -> None:
        observed: Callable[[], dict] | None = None
        if isinstance(obj, WithMetadata):
            observed, obj = obj.metadata, obj.frame
        table_path = self._table_path(context.asset_key)
        layer, table = table_of(context.asset_key)
        days = days_in_window(context.asset_partitions_time_window)
        spark = self.pyspark.spark_session
        check_session(spark)
        root = self._commit_root(spark)
        try:
            if root is None:
                rows_by_day = _write_in_place(spark, obj, table_path, days)
            else:
                # Spark writes into a private stage; the days are swapped in whole (lake_commit).
                recover(root, f"{layer}_{table}", Path(table_path))
                with staged(root, f"{layer}_{table}", Path(table_path), context.run_id) as stage:
                    if isinstance(obj, RawPages):
                        rows_by_day = _write_raw_pages(spark, obj, stage.path, str(stage.table))
                    else:
                        rows_by_day = _write_parquet_days(obj, str(stage.table), days)
                    stage.commit([day.isoformat() for day in days if day in rows_by_day])
        except (OSError, Py4JJavaError, PySparkException) as error:
            problem = _storage_problem(error)
            if problem is None:
                raise
            raise LakeWriteError(
                f"cannot write {context.asset_key.to_user_string()} for {days[0]}"
                f"{f' to {days[-1]}' if len(days) > 1 else ''} into the lake at {self.root}: "
                f"{problem}. No day was left half-written: the lake keeps what it had. Fix: "
                f"make {self.root} writable with room for the run, or set DATALAKE_ROOT to a "
                "location that is, and materialize again."
            ) from None
        finally:
            if isinstance(obj, RawPages):
                obj.discard()
        metadata = {
            **(observed() if observed else {}),
            "lake_uri": dg.MetadataValue.path(table_path),
            "dagster/row_count": sum(rows_by_day.values()),
            "rows_by_day": {day.isoformat(): rows_by_day.get(day, 0) for day in days},
            **_written(spark, table_path, days, raw=layer == RAW_LAYER),
        }
        if len(days) > 1:
            # Dagster copies a range run's metadata onto each of its partitions.
            metadata["scope"] = (
                f"the whole run: {len(days)} days, {days[0]} to {days[-1]}; rows_by_day splits "
                "the row count per day"
            )
        context.add_output_metadata(metadata)

    def load_input(self, context: dg.InputContext) -> DataFrame:
        asset_key = context.asset_key
        table_path = self._table_path(asset_key)
        days = days_in_window(context.asset_partitions_time_window)
        spark = self.pyspark.spark_session
        root = self._commit_root(spark)
        if root is not None:
            recover(root, "_".join(table_of(asset_key)), Path(table_path))
            missing = [day for day in days if not Path(_partition_path(table_path, day)).is_dir()]
        else:
            missing = sorted(set(days) - days_in(spark, table_path))
        if missing:
            name, first = asset_key.to_user_string(), missing[0].isoformat()
            raise FileNotFoundError(
                f"{name} has no partition {first} in the lake at "
                f"{_partition_path(table_path, missing[0])} ({len(missing)} of {len(days)} days "
                f"missing); materialize it first: dagster asset materialize -m "
                f"tweet_assets.definitions --select {name} --partition {first}"
            )
        reader = spark.read.option("basePath", table_path)
        paths = [_partition_path(table_path, day) for day in days]
        if table_of(asset_key)[0] != RAW_LAYER:
            return reader.parquet(*paths)
        schema = (context.definition_metadata or {}).get(JSON_SCHEMA)
        if schema:
            return reader.schema(StructType.fromJson(json.loads(schema))).json(paths)
        return reader.text(paths)


class LakeWriteError(Exception):
    """The lake's file system refused a write (full, read-only, not a folder, no permission)."""


# What the file system said, as Java and Python word it; the first found names the problem.
_STORAGE_PROBLEMS = (
    "No space left on device",
    "Disk quota exceeded",
    "Read-only file system",
    "Permission denied",
    "Not a directory",
)


def _storage_problem(error: BaseException) -> str | None:
    """The file-system reason behind a failed write, or None when it failed for another reason."""
    if isinstance(error, OSError) and error.errno is not None:
        return f"{error.strerror} ({error.filename})" if error.filename else error.strerror
    text = str(error)
    return next((problem for problem in _STORAGE_PROBLEMS if problem in text), None)


def _written(spark: SparkSession, table_path: str, days: list[date], raw: bool) -> dict:
    """Column schema, bytes on disk and (for tables) the first rows of the days just written."""
    paths = [_partition_path(table_path, day) for day in days]
    reader = spark.read.option("basePath", table_path)
    written = reader.text(paths) if raw else reader.parquet(*paths)
    schema = dg.TableSchema(
        columns=[dg.TableColumn(f.name, f.dataType.simpleString()) for f in written.schema]
    )
    # Spark lists the files as it lists a table (hidden files aside) and reads no content.
    files = spark.read.format("binaryFile").option("basePath", table_path).load(paths)
    metadata: dict = {
        "dagster/column_schema": schema,
        "bytes_written": files.agg(F.sum("length")).first()[0] or 0,
    }
    if not raw:
        records = [
            dg.TableRecord(
                {
                    k: v if isinstance(v, int | float | bool) or v is None else str(v)
                    for k, v in row.asDict().items()
                }
            )
            for row in written.limit(PREVIEW_ROWS).collect()
        ]
        metadata["preview"] = dg.MetadataValue.table(records, schema=schema)
    return metadata


def _partition_path(table_path: str, day: date) -> str:
    return f"{table_path}/date={day.isoformat()}"


def days_in(spark: SparkSession, table_path: str) -> set[date]:
    """The days the table at `table_path` holds, listed by Spark (no file is read)."""
    try:
        listing = spark.read.format("binaryFile").load(table_path).select("date").distinct()
        return {row["date"] for row in listing.collect()}
    except AnalysisException as error:
        if error.getCondition() == "PATH_NOT_FOUND":
            return set()
        raise


def _pages_as_text(pages: DataFrame) -> DataFrame:
    """The pages of (`date`, `seq`, `value`) rows, one file a day, in the order received."""
    return pages.repartition("date").sortWithinPartitions("date", "seq").select("value", "date")


def _write_raw_pages(
    spark: SparkSession, pages: RawPages, stage: Path, staged_table: str
) -> dict[date, int]:
    """Stage the pages chunk by chunk, then write them as the stage's text table by day.

    The staging file is written by Arrow straight from the spool, one row group a chunk: no
    page passes through the JVM twice, and Spark reads the row groups in parallel.
    """
    spool = stage / "pages.parquet"
    with pq.ParquetWriter(spool, CHUNK_SCHEMA) as staged_pages:
        for chunk in pages.chunks():
            staged_pages.write_table(chunk)
    _pages_as_text(spark.read.parquet(str(spool))).write.partitionBy("date").text(staged_table)
    return dict(pages.pages_by_day)


def _write_in_place(
    spark: SparkSession, obj: DataFrame | RawPages, table_path: str, days: list[date]
) -> dict[date, int]:
    """Write the run's days into the table at `table_path` with Spark's commit protocol.

    Raw pages travel to Spark as Arrow chunks (over Spark Connect: uploaded as cached
    artifacts), since the driver may not see this machine's disk.
    """
    if not isinstance(obj, RawPages):
        return _write_parquet_days(obj, table_path, days, in_place=True)
    chunks = [spark.createDataFrame(chunk) for chunk in obj.chunks()]
    if chunks:
        pages = functools.reduce(DataFrame.unionAll, chunks)
        _pages_as_text(pages).write.mode("overwrite").partitionBy("date").text(table_path)
    return dict(obj.pages_by_day)


def _write_parquet_days(
    df: DataFrame, table_path: str, days: list[date], in_place: bool = False
) -> dict[date, int]:
    """Write `df` as a table of one folder per day of `days`; a day without rows is empty.

    One pass: the rows are counted per day while they are written, and a row dated outside
    `days` fails the write, so nothing reaches the lake. `in_place` overwrites the days of an
    existing table (dynamic partition overwrite); otherwise the table is new (a stage).
    """
    refusal = F.concat(
        F.lit("refusing to write the run's rows: a row is dated "),
        F.coalesce(F.col("date").cast("string"), F.lit("null")),
        F.lit(
            f", outside the partitions of this run ({days[0]} to {days[-1]}); every row's "
            "`date` must be one of the run's days"
        ),
    )
    in_run = F.col("date").isin(days)
    checked = df.withColumn("date", F.when(in_run, F.col("date")).otherwise(F.raise_error(refusal)))
    counts = Observation("rows_by_day")
    counted = checked.observe(
        counts, *[F.count_if(F.col("date") == F.lit(day)).alias(day.isoformat()) for day in days]
    )
    mode = "overwrite" if in_place else "errorifexists"
    counted.write.mode(mode).partitionBy("date").parquet(table_path)
    rows_by_day = {day: counts.get[day.isoformat()] for day in days}
    # Spark writes folders only for days with rows: an emptied day gets an empty table, so it
    # replaces yesterday's rows instead of keeping them.
    empty = df.limit(0).drop("date")
    for day in days:
        if not rows_by_day[day]:
            empty.write.mode(mode).parquet(_partition_path(table_path, day))
    return rows_by_day
