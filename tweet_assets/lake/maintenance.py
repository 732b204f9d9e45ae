"""Keeping the Delta tables small and their folders clean: compaction and vacuum.

Each run adds a few small files per table (one commit of its days); `OPTIMIZE` rewrites each
day's files into fewer, larger ones in one commit of its own (readers of the version before are
not disturbed), and `VACUUM` deletes the files no version newer than the retention still reads.
The retention is at least `MIN_RETAIN_DAYS` (Delta's own floor, 7 days), so `VERSION AS OF` and
`--as-of` reach back at least a week. Delta writes a checkpoint of each log every 10 commits.
"""

from pyspark.sql import SparkSession

from tweet_assets.lake.layout import Table
from tweet_assets.lake.reader import refuse_legacy_layout

MIN_RETAIN_DAYS = 7


class RetentionTooShort(ValueError):
    """A retention under `MIN_RETAIN_DAYS`."""


def optimize_table(spark: SparkSession, table: Table, retain_days: int = MIN_RETAIN_DAYS) -> str:
    """Compact and vacuum one silver or gold table; a line saying what was done."""
    if retain_days < MIN_RETAIN_DAYS:
        raise RetentionTooShort(
            f"a retention of {retain_days} days would delete files that time travel of the "
            f"last week still reads. Fix: give {MIN_RETAIN_DAYS} days or more."
        )
    if table.raw or not refuse_legacy_layout(spark, table):
        return f"{table.asset_name}: not a Delta table of the lake, left alone"
    path = "delta.`" + table.path.replace("`", "``") + "`"
    compacted = spark.sql(f"OPTIMIZE {path}").collect()[0]["metrics"]
    vacuum = f"VACUUM {path} RETAIN {retain_days * 24} HOURS"
    unread = spark.sql(f"{vacuum} DRY RUN").count()  # the files the vacuum deletes
    spark.sql(vacuum).collect()
    return (
        f"{table.asset_name}: {compacted['numFilesRemoved']} files compacted into "
        f"{compacted['numFilesAdded']}; {unread} files no version of the last {retain_days} "
        "days reads deleted"
    )
