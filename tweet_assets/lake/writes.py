"""Writing a run's days of one table with Spark into its Delta table, in one commit of its log.

`write_delta_days` writes every day of the run in one Spark job and returns the rows it wrote
per day, counted during the write. Bronze's rows are made by `pages_frame`: each API page byte
for byte, its place in its day and the day's fetch record.
"""

import functools
import json
from datetime import date
from pathlib import Path

import pyarrow.parquet as pq
from pyspark.sql import DataFrame, Observation, SparkSession
from pyspark.sql import functions as F

from tweet_assets.lake.fetch_records import records_frame
from tweet_assets.lake.raw_pages import CHUNK_SCHEMA, RawPages

# Bronze's columns, in order: the page, its place in its day, the day's fetch record, the day.
RAW_COLUMNS = ("value", "seq", "fetch", "date")


def pages_frame(spark: SparkSession, pages: RawPages, spool: Path | None) -> DataFrame:
    """The run's pages as bronze's rows (RAW_COLUMNS), one file a day, in the order received;
    a day fetched without a page is one row with no page, for its fetch record.

    With `spool` (a folder this process and Spark's driver share), the pages reach Spark as a
    Parquet file Arrow writes straight from the spool, one row group a chunk: no page passes
    through the JVM twice, and Spark reads the row groups in parallel. Without (Spark Connect,
    a lake elsewhere), they travel as Arrow chunks (over Connect: uploaded as cached artifacts).
    """
    if spool is not None:
        path = spool / "pages.parquet"
        with pq.ParquetWriter(path, CHUNK_SCHEMA) as staged_pages:
            for chunk in pages.chunks():
                staged_pages.write_table(chunk)
        frame = spark.read.parquet(str(path))
    else:
        chunks = [spark.createDataFrame(chunk) for chunk in pages.chunks()]
        if chunks:
            frame = functools.reduce(DataFrame.unionAll, chunks)
        else:  # a run of days without a page (a Connect client cannot type an empty Arrow table)
            frame = spark.createDataFrame([], "date date, seq bigint, value string")
    rows = records_frame(spark, pages.records).join(frame, "date", "full")
    return rows.repartition("date").sortWithinPartitions("date", "seq").select(*RAW_COLUMNS)


def create_delta_table(df: DataFrame, table_path: str, commit_info: dict[str, str]) -> None:
    """Make the Delta table at `table_path` with `df`'s columns and no rows (its version 0,
    carrying `commit_info` as the run's writes do): one commit of the log, no Spark job. For
    a lake Spark's driver reaches and this process does not (a URI, Spark Connect); in a local
    lake delta-rs makes it (`delta_rs.create`).

    A table's first write makes it before writing any data file, so a writer killed mid-write
    always leaves a log: the table reads as it was, and the files of the dead write are ones
    no version names (never the earlier layout's folders without a log, which are refused)."""
    spark = df.sparkSession
    columns = ", ".join(f"`{f.name}` {f.dataType.simpleString()}" for f in df.schema)
    location = table_path.replace("`", "``")
    spark.conf.set(_COMMIT_METADATA, user_metadata(commit_info))
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
        .option("userMetadata", user_metadata(commit_info))
        .partitionBy("date")
        .save(table_path)
    )
    return {day: counts.get[day.isoformat()] for day in days}


# The user metadata of the session's next Delta commit (a SQL statement has no write option).
_COMMIT_METADATA = "spark.databricks.delta.commitInfo.userMetadata"


def user_metadata(commit_info: dict[str, str]) -> str:
    return json.dumps(commit_info, sort_keys=True)
