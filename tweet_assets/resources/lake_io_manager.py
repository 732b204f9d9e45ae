"""The lake: every asset is a table at {root}/{layer}/{table}/date=YYYY-MM-DD/.

The asset key names the place: `bronze_tweets` is `bronze/tweets`, `gold_daily_counts` is
`gold/daily_counts`. Bronze is JSON Lines text (one raw page per line), the other layers are
Parquet. Writing a run's partitions replaces exactly those partition folders (Spark's dynamic
partition overwrite) and leaves every other day as it was; reading gives exactly the upstream
partitions a downstream step asks for.
"""

import contextlib
import json
import shutil
from datetime import date
from pathlib import Path

import dagster as dg
import pyarrow.parquet as pq
from dagster_pyspark import LazyPySparkResource
from pyspark.sql import DataFrame, Observation, SparkSession
from pyspark.sql import functions as F
from pyspark.sql.types import StructType

from tweet_assets.partitions import days_in_window
from tweet_assets.raw_pages import CHUNK_SCHEMA, RawPages

RAW_LAYER = "bronze"
# Input metadata: a consumer of a raw table that sets it to a Spark schema (`StructType.json()`)
# gets the lines parsed as JSON with that schema (schema-on-read) instead of as text.
JSON_SCHEMA = "json_schema"
PREVIEW_ROWS = 5


def table_of(asset_key: dg.AssetKey) -> tuple[str, str]:
    """(`layer`, `table`) of an asset named `{layer}_{table}`."""
    layer, _, table = asset_key.path[-1].partition("_")
    if not table:
        raise ValueError(
            f"asset {asset_key.to_user_string()} has no lake table: name lake assets "
            "{layer}_{table}, e.g. silver_tweets"
        )
    return layer, table


class LakeIOManager(dg.ConfigurableIOManager):
    """Stores daily partitions of the medallion tables under `root` with PySpark.

    Fails with a message naming the table and partition when a downstream step needs an upstream
    day that is not in the lake, and when a write would touch days outside its partitions.
    """

    root: str
    pyspark: LazyPySparkResource

    def _table_path(self, asset_key: dg.AssetKey) -> str:
        layer, table = table_of(asset_key)
        return str(Path(self.root).absolute() / layer / table)

    def handle_output(self, context: dg.OutputContext, obj: DataFrame | RawPages) -> None:
        table_path = self._table_path(context.asset_key)
        layer, table = table_of(context.asset_key)
        days = days_in_window(context.asset_partitions_time_window)
        spark = self.pyspark.spark_session
        if isinstance(obj, RawPages):
            staging = Path(self.root).absolute() / "_staging" / f"{context.run_id}-{layer}_{table}"
            try:
                rows_by_day = _write_raw_pages(spark, obj, table_path, staging)
            finally:
                obj.discard()
                shutil.rmtree(staging, ignore_errors=True)
                with contextlib.suppress(OSError):  # other runs may be staging
                    staging.parent.rmdir()
        else:
            rows_by_day = _write_parquet_days(obj, table_path, days)
        metadata = {
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
        missing = [day for day in days if not Path(_partition_path(table_path, day)).is_dir()]
        if missing:
            name, first = asset_key.to_user_string(), missing[0].isoformat()
            raise FileNotFoundError(
                f"{name} has no partition {first} in the lake at "
                f"{_partition_path(table_path, missing[0])} ({len(missing)} of {len(days)} days "
                f"missing); materialize it first: dagster asset materialize -m "
                f"tweet_assets.definitions --select {name} --partition {first}"
            )
        reader = self.pyspark.spark_session.read.option("basePath", table_path)
        paths = [_partition_path(table_path, day) for day in days]
        if table_of(asset_key)[0] != RAW_LAYER:
            return reader.parquet(*paths)
        schema = (context.definition_metadata or {}).get(JSON_SCHEMA)
        if schema:
            return reader.schema(StructType.fromJson(json.loads(schema))).json(paths)
        return reader.text(paths)


def _written(spark: SparkSession, table_path: str, days: list[date], raw: bool) -> dict:
    """Column schema, bytes on disk and (for tables) the first rows of the days just written."""
    paths = [_partition_path(table_path, day) for day in days]
    reader = spark.read.option("basePath", table_path)
    written = reader.text(paths) if raw else reader.parquet(*paths)
    schema = dg.TableSchema(
        columns=[dg.TableColumn(f.name, f.dataType.simpleString()) for f in written.schema]
    )
    files = [file for path in paths for file in Path(path).iterdir() if file.is_file()]
    metadata: dict = {
        "dagster/column_schema": schema,
        "bytes_written": sum(
            file.stat().st_size for file in files if not file.name.startswith(".")
        ),
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


def _write_raw_pages(
    spark: SparkSession, pages: RawPages, table_path: str, staging: Path
) -> dict[date, int]:
    """Stage the pages chunk by chunk, then swap the staged days in with one dynamic overwrite.

    The staging file is written by Arrow straight from the spool, one row group a chunk: no
    page passes through the JVM twice, and Spark reads the row groups in parallel.
    """
    staging.mkdir(parents=True)
    with pq.ParquetWriter(staging / "pages.parquet", CHUNK_SCHEMA) as staged:
        for chunk in pages.chunks():
            staged.write_table(chunk)
    (
        spark.read.parquet(str(staging))
        .repartition("date")
        .sortWithinPartitions("date", "seq")
        .select("value", "date")
        .write.mode("overwrite")
        .partitionBy("date")
        .text(table_path)
    )
    return dict(pages.pages_by_day)


def _write_parquet_days(df: DataFrame, table_path: str, days: list[date]) -> dict[date, int]:
    """Replace the partitions of `days` with `df`'s rows; a day without rows becomes empty.

    One pass: the rows are counted per day while they are written, and a row dated outside
    `days` fails the write before anything is committed, so the lake keeps every day it had.
    """
    refusal = F.concat(
        F.lit(f"refusing to write {table_path}: a row is dated "),
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
    counted.write.mode("overwrite").partitionBy("date").parquet(table_path)
    rows_by_day = {day: counts.get[day.isoformat()] for day in days}
    # Dynamic overwrite only touches days that have rows: an emptied day is replaced
    # explicitly, so a re-run never leaves yesterday's rows behind.
    empty = df.limit(0).drop("date")
    for day in days:
        if not rows_by_day[day]:
            empty.write.mode("overwrite").parquet(_partition_path(table_path, day))
    return rows_by_day
