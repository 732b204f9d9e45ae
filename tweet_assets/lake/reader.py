"""Reading the lake's tables with Spark: the one way every Spark reader (the IO manager,
`tweet-lake sql`) opens a table, on any root Spark can reach.

Every table is a Delta table: a read goes through the table's log (the files of its latest
version; older ones through `tweet-lake sql … VERSION AS OF` or delta-rs), never through a
listing of the folder, which also holds the files of older versions: Delta's Spark reader, or,
where Spark's driver shares the lake's folder with this process, the files delta-rs reads from
the log, read by Spark (`local_rows`: no log replay in the JVM). Bronze holds each API page as a
row, byte for byte, beside its day's fetch record.
"""

import re
from datetime import date

from pyspark.errors import AnalysisException
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql.types import StructType

from tweet_assets.lake import delta_rs
from tweet_assets.lake.layout import LegacyLayoutError, Table, legacy_layout_message

_DAY_FOLDER = re.compile(r"/date=(\d{4}-\d{2}-\d{2})/")
# What Spark says of a Delta table that is not there yet (no folder, or no log in it).
_NO_TABLE = ("PATH_NOT_FOUND", "DELTA_MISSING_DELTA_TABLE", "DELTA_TABLE_NOT_FOUND")


def open_table(spark: SparkSession, table: Table) -> DataFrame | None:
    """The Delta table's latest version; None when it was never written; `LegacyLayoutError`
    when its folder holds files but no Delta log."""
    try:
        frame = spark.read.format("delta").load(table.path)
        _ = frame.columns  # over Spark Connect the path is only resolved when asked
    except AnalysisException as error:
        if error.getCondition() not in _NO_TABLE:
            raise
        if _holds_files(spark, table):
            raise LegacyLayoutError(legacy_layout_message(table)) from None
        return None
    return frame


def refuse_legacy_layout(spark: SparkSession, table: Table) -> bool:
    """Whether the table exists as a Delta table; `LegacyLayoutError` when its folder holds
    files but no Delta log."""
    return open_table(spark, table) is not None


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
    """The days the table holds rows of (bronze: the days fetched): the days of the data files
    its log's latest version names, no file read."""
    frame = open_table(spark, table)
    return set() if frame is None else days_of(frame)


def days_of(frame: DataFrame) -> set[date]:
    """The days of the data files an opened table's (`open_table`) version names."""
    return {date.fromisoformat(day) for day in _DAY_FOLDER.findall(" ".join(frame.inputFiles()))}


def local_rows(spark: SparkSession, table: Table, days: list[date] | None) -> DataFrame:
    """The rows of `days` (all when None) of a table in a folder Spark's driver shares: the
    Parquet files its latest version names, as delta-rs reads them from the log, read by Spark
    with the table's schema (no log replay in the JVM)."""
    files, location, schema = delta_rs.files_of(table, days)
    columns = StructType.fromJson(schema)
    if not files:
        return spark.createDataFrame([], columns)
    rows = spark.read.schema(columns).option("basePath", location).parquet(*files)
    return rows.select(*columns.fieldNames())  # the table's order (Spark puts `date` last)


def read_days(
    spark: SparkSession,
    table: Table,
    days: list[date] | None = None,
    json_schema: StructType | None = None,
    local: bool = False,
) -> DataFrame:
    """The table's rows of `days` (all its days when None), from its log's latest version:
    one schema, in which days written before a column was added read it as null. `local`: the
    table is in a folder Spark's driver shares with this process (`local_rows`).

    Bronze is its pages as text (`value`, `date`), or parsed as JSON
    with `json_schema` (schema-on-read: a page that does not parse, or not as the schema
    says, keeps its text in the schema's `_corrupt_record` field).
    """
    if local:
        rows = local_rows(spark, table, days)
    else:
        rows = spark.read.format("delta").load(table.path)
        if days is not None:
            rows = rows.where(F.col("date").isin(days))
    if not table.raw:
        return rows
    pages = rows.where(F.col("value").isNotNull())
    if json_schema is None:
        return pages.select("value", "date")
    parsed = F.from_json("value", json_schema, {"mode": "PERMISSIVE"})
    return pages.select(parsed.alias("page"), "date").select("page.*", "date")
