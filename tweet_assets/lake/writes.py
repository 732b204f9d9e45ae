"""Writing a run's days of one table with Spark: raw pages as text, tables as Parquet.

Each function writes every day of the run in one Spark job and returns the rows it wrote per day,
counted during the write. Where the files go (a private stage, or the table itself with Spark's
dynamic partition overwrite) is the caller's choice.
"""

import functools
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


def write_in_place(
    spark: SparkSession, obj: DataFrame | RawPages, table_path: str, days: list[date]
) -> dict[date, int]:
    """Write the run's days into the table at `table_path` with Spark's commit protocol.

    Raw pages travel to Spark as Arrow chunks (over Spark Connect: uploaded as cached
    artifacts), since the driver may not see this machine's disk.
    """
    if not isinstance(obj, RawPages):
        return write_parquet_days(obj, table_path, days, in_place=True)
    chunks = [spark.createDataFrame(chunk) for chunk in obj.chunks()]
    if chunks:
        pages = functools.reduce(DataFrame.unionAll, chunks)
        committed_marked(pages_as_text(pages).write).mode("overwrite").partitionBy("date").text(
            table_path
        )
    return dict(obj.pages_by_day)


def write_parquet_days(
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
    writer = committed_marked(counted.write) if in_place else counted.write
    writer.mode(mode).partitionBy("date").parquet(table_path)
    rows_by_day = {day: counts.get[day.isoformat()] for day in days}
    # Spark writes folders only for days with rows: an emptied day gets an empty table, so it
    # replaces yesterday's rows instead of keeping them.
    empty = df.limit(0).drop("date")
    for day in days:
        if not rows_by_day[day]:
            empty.write.mode(mode).parquet(f"{table_path}/date={day.isoformat()}")
    return rows_by_day


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
