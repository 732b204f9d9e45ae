"""Reading the lake's tables with Spark: the one way every reader (the IO manager, `tweet-lake
show|sql|report`) opens a table, on any root Spark can reach."""

from datetime import date

from pyspark.errors import AnalysisException
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql.types import StructType

from tweet_assets.lake.layout import Table


def days_in(spark: SparkSession, table: Table) -> set[date]:
    """The days the table holds, listed by Spark (no file is read)."""
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
    merge_schema: bool = False,
    schema: StructType | None = None,
) -> DataFrame:
    """The table's rows of `days` (all its days when None), with their `date` column.

    Bronze is its pages as text lines (`value`), or parsed as JSON with `json_schema`
    (schema-on-read); the other layers are Parquet. With `merge_schema`, days written before
    a column was added read it as null (every file's schema is read: a job of its own);
    without, the columns are one file's. A known `schema` spares reading any file's.
    """
    reader = spark.read.option("basePath", table.path)
    paths = [table.path] if days is None else [table.day_path(day) for day in days]
    if not table.raw:
        if schema is not None:
            reader = reader.schema(schema)
        return reader.option("mergeSchema", merge_schema).parquet(*paths)
    if json_schema is not None:
        return reader.schema(json_schema).json(paths)
    return reader.text(paths)
