"""Converting a silver or gold table of the lake's earlier layout (folders of Parquet by day, no
log) into a Delta table in place, with Delta's own `CONVERT TO DELTA`: every row stays in the
file it was in, and the log's first version lists every file. (delta-rs reads such a table's
rows, but not that first commit in its history: `lake.delta_rs.history` steps over it.)"""

from pathlib import Path

from pyspark.sql import SparkSession

from tweet_assets.lake.layout import Table
from tweet_assets.lake.reader import LegacyLayoutError, legacy_layout_message, refuse_legacy_layout

DELTA_LAYERS = ("silver", "gold")


def refuse_legacy_lake(root: str, folder: Path) -> None:
    """`LegacyLayoutError` naming the first silver or gold table under the local lake `folder`
    that holds days without a Delta log: a run stops at its start, before any write."""
    for layer in DELTA_LAYERS:
        for table in sorted((folder / layer).glob("*/")):
            if not (table / "_delta_log").is_dir() and any(table.glob("date=*/*.parquet")):
                raise LegacyLayoutError(legacy_layout_message(Table(root, layer, table.name)))


def convert_legacy_table(spark: SparkSession, table: Table) -> bool:
    """Convert `table` if it is of the earlier layout; whether it was (a Delta table, a missing
    one and bronze are left alone, so a second call does nothing)."""
    if table.raw:
        return False
    try:
        refuse_legacy_layout(spark, table)
    except LegacyLayoutError:
        path = table.path.replace("`", "``")
        spark.sql(f"CONVERT TO DELTA parquet.`{path}` PARTITIONED BY (`date` DATE)")
        return True
    return False
