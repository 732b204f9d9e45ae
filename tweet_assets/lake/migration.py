"""Converting a table of the lake's earlier layout (day folders without a Delta log) into a
Delta table in place, losing nothing.

Silver and gold (days of Parquet) are converted by Delta's own `CONVERT TO DELTA`: every row
stays in the file it was in, and the log's first version lists every file. (delta-rs reads such
a table's rows, but not that first commit in its history: `lake.delta_rs.history` steps over
it.) Bronze (days of JSON Lines pages, each with `_fetch/record.json`) is read and written once
as a Delta table into its own folder, in one commit: its pages byte for byte, in their order,
beside their day's record. Until that commit the folder reads as before, so a migration that
dies is run again; the text files stay beside the table, in no version of it."""

from pathlib import Path

from pyspark.sql import DataFrame, SparkSession, Window
from pyspark.sql import functions as F

from tweet_assets.lake.fetch_records import FETCH_COLUMN, FETCH_FIELDS, FETCH_SCHEMA
from tweet_assets.lake.layout import LegacyLayoutError, Table, legacy_layout_message
from tweet_assets.lake.reader import refuse_legacy_layout
from tweet_assets.lake.writes import RAW_COLUMNS, user_metadata

LAYERS = ("bronze", "silver", "gold")
# The earlier layout's day files: Spark's text parts (bronze) and Parquet parts.
_LEGACY_FILES = {"bronze": "date=*/*.txt", "silver": "date=*/*.parquet", "gold": "date=*/*.parquet"}
_MIGRATED = {"asset": "tweet-lake migrate"}


def refuse_legacy_lake(root: str, folder: Path) -> None:
    """`LegacyLayoutError` naming the first table under the local lake `folder` that holds
    days without a Delta log: a run stops at its start, before any write."""
    for layer in LAYERS:
        for table in sorted((folder / layer).glob("*/")):
            if not (table / "_delta_log").is_dir() and any(table.glob(_LEGACY_FILES[layer])):
                raise LegacyLayoutError(legacy_layout_message(Table(root, layer, table.name)))


def convert_legacy_table(spark: SparkSession, table: Table) -> bool:
    """Convert `table` if it is of the earlier layout; whether it was (a Delta table and a
    missing one are left alone, so a second call does nothing)."""
    try:
        refuse_legacy_layout(spark, table)
    except LegacyLayoutError:
        path = table.path.replace("`", "``")
        if not table.raw:
            spark.sql(f"CONVERT TO DELTA parquet.`{path}` PARTITIONED BY (`date` DATE)")
            return True
        made = user_metadata({**_MIGRATED, "table": table.asset_name})
        pages = _legacy_pages(spark, table).write.format("delta").partitionBy("date")
        pages.mode("append").option("userMetadata", made).save(table.path)
        return True
    return False


def _legacy_pages(spark: SparkSession, table: Table) -> DataFrame:
    """Bronze's pages of the earlier layout as its Delta rows (`writes.RAW_COLUMNS`)."""
    pages = (
        spark.read.option("basePath", table.path)
        .text(f"{table.path}/{_LEGACY_FILES['bronze']}")
        .withColumn("file", F.input_file_name())
        .withColumn("line", F.monotonically_increasing_id())
    )
    in_order = Window.partitionBy("date").orderBy("file", "line")
    pages = pages.withColumn("seq", (F.row_number().over(in_order) - 1).cast("long"))
    records = spark.read.schema(FETCH_SCHEMA).json(f"{table.path}/date=*/_fetch")
    records = records.select(
        F.to_date("day").alias("date"), F.struct(*FETCH_FIELDS).alias(FETCH_COLUMN)
    )
    return records.join(pages, "date", "full").select(*RAW_COLUMNS)
