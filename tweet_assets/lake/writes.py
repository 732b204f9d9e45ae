"""Writing a run's days of one table with Spark: raw pages as text, the other tables as Delta.

Each function writes every day of the run in one Spark job and returns the rows it wrote per day,
counted during the write. Raw pages go where the caller says (a private stage, or the table
itself with Spark's dynamic partition overwrite); a Delta table's days are replaced in one
commit of its log.
"""

import functools
import json
import os
from datetime import date
from pathlib import Path

import pyarrow.parquet as pq
from pyspark.sql import DataFrame, Observation, SparkSession
from pyspark.sql import functions as F

from tweet_assets.lake.raw_pages import CHUNK_SCHEMA, RawPages
from tweet_assets.lake.spark_commit import committed_marked

# Names Spark's file listing skips.
_HIDDEN = ("_", ".")


def pages_as_text(pages: DataFrame) -> DataFrame:
    """The pages of (`date`, `seq`, `value`) rows, one file a day, in the order received."""
    return pages.repartition("date").sortWithinPartitions("date", "seq").select("value", "date")


def write_raw_pages(
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
    pages_as_text(spark.read.parquet(str(spool))).write.partitionBy("date").text(staged_table)
    return dict(pages.pages_by_day)


def write_in_place(spark: SparkSession, pages: RawPages, table_path: str) -> dict[date, int]:
    """Write the run's pages into the raw table at `table_path` with Spark's commit protocol.

    Raw pages travel to Spark as Arrow chunks (over Spark Connect: uploaded as cached
    artifacts), since the driver may not see this machine's disk.
    """
    chunks = [spark.createDataFrame(chunk) for chunk in pages.chunks()]
    if chunks:
        frame = functools.reduce(DataFrame.unionAll, chunks)
        committed_marked(pages_as_text(frame).write).mode("overwrite").partitionBy("date").text(
            table_path
        )
    return dict(pages.pages_by_day)


def create_delta_table(df: DataFrame, table_path: str, commit_info: dict[str, str]) -> None:
    """Make the Delta table at `table_path` with `df`'s columns and no rows (its version 0,
    carrying `commit_info` as the run's writes do): one commit of the log, no Spark job.

    A table's first write makes it before writing any data file, so a writer killed mid-write
    always leaves a log: the table reads as it was, and the files of the dead write are ones
    no version names (never the earlier layout's folders without a log, which are refused)."""
    spark = df.sparkSession
    columns = ", ".join(f"`{f.name}` {f.dataType.simpleString()}" for f in df.schema)
    location = table_path.replace("`", "``")
    spark.conf.set(_COMMIT_METADATA, _user_metadata(commit_info))
    try:
        spark.sql(
            f"CREATE TABLE IF NOT EXISTS delta.`{location}` ({columns}) USING DELTA "
            "PARTITIONED BY (`date`)"
        )
    finally:
        spark.conf.unset(_COMMIT_METADATA)


def write_delta_days(
    df: DataFrame, table_path: str, days: list[date], commit_info: dict[str, str]
) -> dict[date, int]:
    """Replace the days `days` of the Delta table at `table_path` (made if missing) with `df`,
    in one commit carrying `commit_info` as its user metadata; a day without rows is emptied.

    One pass: the rows are counted per day while they are written, and a row dated outside
    `days` fails the write before the commit, so nothing reaches the table. The days outside
    the run are untouched (`replaceWhere`); a column the frame adds joins the table's schema,
    older days reading it as null.
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
    listed = ", ".join(f"'{day.isoformat()}'" for day in days)
    (
        counted.write.format("delta")
        .mode("overwrite")
        .option("replaceWhere", f"`date` IN ({listed})")
        .option("mergeSchema", "true")
        .option("userMetadata", _user_metadata(commit_info))
        .partitionBy("date")
        .save(table_path)
    )
    return {day: counts.get[day.isoformat()] for day in days}


def data_file_bytes(table_folder: Path) -> int:
    """The bytes of the table's data files: what Spark lists of it, hidden files (`_*`, `.*`,
    such as `_SUCCESS`, checksums and fetch records) and folders aside."""
    total = 0
    for folder, subfolders, files in os.walk(table_folder):
        subfolders[:] = [name for name in subfolders if not name.startswith(_HIDDEN)]
        total += sum(
            os.path.getsize(os.path.join(folder, name))
            for name in files
            if not name.startswith(_HIDDEN)
        )
    return total


# The user metadata of the session's next Delta commit (a SQL statement has no write option).
_COMMIT_METADATA = "spark.databricks.delta.commitInfo.userMetadata"


def _user_metadata(commit_info: dict[str, str]) -> str:
    return json.dumps(commit_info, sort_keys=True)
