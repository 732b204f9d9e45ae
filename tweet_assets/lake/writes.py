"""Writing a run's days of one table with Spark into its Delta table, in one commit of its log.

Both ways write every day of the run in one Spark job and return the rows written per day,
counted during the write:
- `write_local_days`, for a lake in a folder Spark's driver shares with this process: Spark
  writes the days as Parquet files into a staging folder inside the table's, they move beside
  the table's other files (named by no version yet), and delta-rs commits them in one version
  (`delta_rs.commit_days`): no log replay in the JVM, which costs a short run more than the
  write itself (bench/AB-2026-12-03-issue-26.md).
- `write_delta_days`, for a lake elsewhere (a URI) or a driver behind Spark Connect: Delta's
  own `replaceWhere` write.

Bronze's rows are made by `pages_frame`: each API page byte for byte, its place in its day and
the day's fetch record.
"""

import contextlib
import fcntl
import functools
import json
import os
import shutil
import uuid
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pyarrow.parquet as pq
from pyspark.sql import DataFrame, Observation, SparkSession
from pyspark.sql import functions as F

from tweet_assets.lake import delta_rs
from tweet_assets.lake.fetch_records import records_frame
from tweet_assets.lake.layout import Table, local_folder
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
    counted, counts = _counted(df, days)
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


def write_local_days(
    df: DataFrame, table: Table, days: list[date], commit_info: dict[str, str]
) -> tuple[dict[date, int], int]:
    """`write_delta_days` for a table in a local folder (made, version 0, before): the rows
    per day and the bytes of the files written.

    Spark writes the days into a staging folder of the table's (`_staging/`, which readers,
    Delta's VACUUM and delta-rs skip); the files move next to the table's other files, which
    no reader sees until delta-rs commits them in one version replacing `days` (the other days
    untouched). A writer that dies leaves either its staging folder, deleted by the table's
    next write, or files no version names, which `tweet-lake optimize` vacuums. A column the
    frame adds joins the table's schema; a column changing type is refused before Spark runs.
    """
    folder = local_folder(table.path)
    assert folder is not None, table.path
    delta_rs.merged_schema(table, df.schema.jsonValue())  # a column changing type stops here
    counted, counts = _counted(df, days)
    with _staging(folder) as staged:
        counted.write.partitionBy("date").parquet(str(staged))
        files: dict[date, list[Path]] = {}
        for day_folder in sorted(staged.glob("date=*")):
            day = date.fromisoformat(day_folder.name.removeprefix("date="))
            (folder / day_folder.name).mkdir(exist_ok=True)
            for part in sorted(day_folder.glob("*.parquet")):
                files.setdefault(day, []).append(part.rename(folder / day_folder.name / part.name))
    delta_rs.commit_days(table, files, days, df.schema.jsonValue(), user_metadata(commit_info))
    written = sum(path.stat().st_size for paths in files.values() for path in paths)
    return {day: counts.get[day.isoformat()] for day in days}, written


def _counted(df: DataFrame, days: list[date]) -> tuple[DataFrame, Observation]:
    """`df` failing at its first row dated outside `days`, and counting its rows per day as a
    write passes them (the observation's fields are the days' ISO dates)."""
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
    return counted, counts


# A table's staging folders, one a write: `{name}/` while its writer holds `{name}.lock`.
STAGING = "_staging"


@contextlib.contextmanager
def _staging(table_folder: Path) -> Iterator[Path]:
    """A new staging folder in the table's (not made yet: Spark makes it), deleted on the way
    out; the staging folders of writers that died are deleted first."""
    stages = table_folder / STAGING
    stages.mkdir(parents=True, exist_ok=True)
    _remove_dead_stages(stages)
    name = uuid.uuid4().hex
    # locked before it takes its name, so a `.lock` another writer sees is held while alive
    making = stages / f".{name}.making"
    fd = os.open(making, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        lock = making.rename(stages / f"{name}.lock")
        try:
            yield stages / name
        finally:
            shutil.rmtree(stages / name, ignore_errors=True)
            lock.unlink(missing_ok=True)
    finally:
        os.close(fd)


def _remove_dead_stages(stages: Path) -> None:
    for lock in stages.glob("*.lock"):
        try:
            fd = os.open(lock, os.O_RDWR)
        except OSError:
            continue  # its writer finished meanwhile
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            continue  # its writer is alive
        else:
            shutil.rmtree(lock.with_suffix(""), ignore_errors=True)
            lock.unlink(missing_ok=True)
        finally:
            os.close(fd)


# The user metadata of the session's next Delta commit (a SQL statement has no write option).
_COMMIT_METADATA = "spark.databricks.delta.commitInfo.userMetadata"


def user_metadata(commit_info: dict[str, str]) -> str:
    return json.dumps(commit_info, sort_keys=True)
