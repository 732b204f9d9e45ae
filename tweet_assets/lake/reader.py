"""Reading the lake's tables with Spark: the one way every Spark reader (the IO manager,
`tweet-lake sql`) opens a table, on any root Spark can reach.

Silver and gold are Delta tables: a read goes through the table's log (the files of its latest
version; older ones through `tweet-lake sql … VERSION AS OF` or delta-rs), never through a
listing of the folder, which also holds the files of older versions. Bronze is a folder of raw
pages by day.
"""

from datetime import date

from pyspark.errors import AnalysisException
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql.types import StructType

from tweet_assets.lake.layout import Table

# What Spark says of a Delta table that is not there yet (no folder, or no log in it).
_NO_TABLE = ("PATH_NOT_FOUND", "DELTA_MISSING_DELTA_TABLE", "DELTA_TABLE_NOT_FOUND")


class LegacyLayoutError(Exception):
    """A silver or gold table's folder holds days without a Delta log: the lake's earlier
    layout, which `tweet-lake migrate` converts in place."""


def legacy_layout_message(table: Table) -> str:
    return (
        f"{table.asset_name} at {table.path} holds days without a Delta log: a lake of "
        "tweet-lake's earlier layout (folders of Parquet), which the runs no longer write or "
        "read. Fix: convert the lake in place, losing nothing, with "
        "`tweet-lake migrate`, then materialize again."
    )


def refuse_legacy_layout(spark: SparkSession, table: Table) -> bool:
    """Whether the silver or gold table exists as a Delta table; `LegacyLayoutError` when its
    folder holds files but no Delta log."""
    try:
        _ = spark.read.format("delta").load(table.path).columns  # resolves the path
    except AnalysisException as error:
        if error.getCondition() not in _NO_TABLE:
            raise
        if not _holds_files(spark, table):
            return False
        raise LegacyLayoutError(legacy_layout_message(table)) from None
    return True


def _holds_files(spark: SparkSession, table: Table) -> bool:
    """Whether the folder without a log holds any data file (an empty folder is no table)."""
    try:
        files = spark.read.format("binaryFile").option("recursiveFileLookup", "true")
        return bool(files.load(table.path).select("path").limit(1).collect())
    except AnalysisException as error:
        if error.getCondition() in _NO_TABLE:
            return False
        raise


def days_in(spark: SparkSession, table: Table) -> set[date]:
    """The days the table holds (with rows, for a Delta table), listed by Spark (no data file
    is read)."""
    if not table.raw:
        try:
            frame = spark.read.format("delta").load(table.path)
            _ = frame.columns  # over Spark Connect the path is only resolved when asked
        except AnalysisException as error:
            if error.getCondition() in _NO_TABLE:
                return set()
            raise
        return {row["date"] for row in frame.select("date").distinct().collect()}
    try:
        files = spark.read.format("binaryFile").load(table.path)
        # over Spark Connect the path is only resolved when the columns are asked for
        columns = files.columns
    except AnalysisException as error:
        if error.getCondition() == "PATH_NOT_FOUND":
            return set()
        raise
    if "date" not in columns:  # a table folder without a day folder
        return set()
    return {row["date"] for row in files.select("date").distinct().collect()}


def read_days(
    spark: SparkSession,
    table: Table,
    days: list[date] | None = None,
    json_schema: StructType | None = None,
) -> DataFrame:
    """The table's rows of `days` (all its days when None), with their `date` column.

    Bronze is its pages as text lines (`value`), or parsed as JSON with `json_schema`
    (schema-on-read). The other layers are Delta tables, read at their latest version: one
    schema, in which days written before a column was added read it as null.
    """
    if not table.raw:
        rows = spark.read.format("delta").load(table.path)
        return rows if days is None else rows.where(F.col("date").isin(days))
    reader = spark.read.option("basePath", table.path)
    paths = [table.path] if days is None else [table.day_path(day) for day in days]
    if json_schema is not None:
        return reader.schema(json_schema).json(paths)
    return reader.text(paths)
