"""Finishing a commit of Spark's own that its driver did not live to finish.

On a URI root (`hdfs://`, `s3a://`...) or over Spark Connect, a write is committed by Spark's
dynamic partition overwrite, on the driver:

1. the tasks' files are merged into `{table}/.spark-staging-{job}/date=D/`, and a `_SUCCESS`
   file there marks the merge done: from then on the staged days are the job's whole output;
2. day by day, the table's `date=D` is deleted and the staged one renamed in;
3. the staging folder is deleted.

A driver that dies in step 2 leaves the table without the day it was renaming (its only copy is
staged) and with the old copy of the days after it. Before every read and write of such a table,
`finish_spark_commits` finds staging folders with `_SUCCESS` and finishes step 2 and 3 for them,
as Spark would have. That takes the Hadoop file system of the driver, which a Spark Connect
client has no access to (and Spark's listing hides `_SUCCESS`): there it fails when a staged day
is missing from the table, naming the folder, the days and what to do.

A staging folder without `_SUCCESS` is a write that never committed: the table's days are
untouched, readers skip hidden folders, and it is left alone (its run may still be writing).
"""

from pyspark.errors import AnalysisException
from pyspark.sql import DataFrameWriter, SparkSession

from tweet_assets.lake.layout import Table
from tweet_assets.lake.reader import days_in

STAGING_PREFIX = ".spark-staging-"
COMMITTED_MARK = "_SUCCESS"
# The Hadoop setting that writes COMMITTED_MARK. The runs' sessions turn it off (no marker in a
# day's folder); a write that commits through a staging folder turns it on for itself
# (`committed_marked`), so its marker lands in the staging folder, which it then deletes.
MARK_COMMITS = "mapreduce.fileoutputcommitter.marksuccessfuljobs"


def committed_marked(writer: DataFrameWriter) -> DataFrameWriter:
    """`writer`, marking its staging folder once its job committed (see MARK_COMMITS)."""
    return writer.option(MARK_COMMITS, "true")


class UnfinishedSparkCommit(Exception):
    """A table holds a committed Spark staging folder that this session cannot finish."""


def finish_spark_commits(spark: SparkSession, table: Table, connect: bool) -> list[str]:
    """Finish the table's committed, unfinished Spark commits; the days put in place.

    Over Spark Connect, raises UnfinishedSparkCommit when a staging folder holds a day that the
    table lacks: the staged copy may be the day's only one.
    """
    if connect:
        _refuse_lost_days(spark, table)
        return []
    jvm = spark._jvm  # a classic session: the driver's JVM
    if jvm is None:
        raise RuntimeError("a classic Spark session without its JVM")
    hadoop_path = jvm.org.apache.hadoop.fs.Path
    target = hadoop_path(table.path)
    fs = target.getFileSystem(spark._jsc.hadoopConfiguration())
    finished = []
    for staging in fs.globStatus(hadoop_path(target, f"{STAGING_PREFIX}*")) or []:
        folder = staging.getPath()
        if not fs.exists(hadoop_path(folder, COMMITTED_MARK)):
            continue  # never committed: the table's days are untouched
        for day in sorted(
            s.getPath().getName() for s in fs.globStatus(hadoop_path(folder, "date=*"))
        ):
            final = hadoop_path(target, day)
            fs.delete(final, True)
            if not fs.rename(hadoop_path(folder, day), final):
                raise OSError(f"cannot rename {folder}/{day} to {final}")
            finished.append(day.removeprefix("date="))
        fs.delete(folder, True)
    return finished


def _refuse_lost_days(spark: SparkSession, table: Table) -> None:
    """Fail when a staging folder holds a day the table lacks (listed by Spark)."""
    staged: dict[str, set[str]] = {}
    for path in _paths(spark, f"{table.path}/{STAGING_PREFIX}*/date=*"):
        folder, _, rest = path.partition("/date=")
        staged.setdefault(folder, set()).add(rest.split("/", 1)[0])
    if not staged:
        return
    held = {day.isoformat() for day in days_in(spark, table)}
    lost = {folder: sorted(days - held) for folder, days in staged.items() if days - held}
    if not lost:
        return
    where = "; ".join(f"{folder} holds {', '.join(days)}" for folder, days in lost.items())
    raise UnfinishedSparkCommit(
        f"{table.asset_name}: days missing from {table.path} are in a Spark staging folder, "
        f"where a commit whose driver died leaves the only copy: {where}. A Spark Connect "
        "client cannot move files. Fix: when the folder holds a _SUCCESS file (its job "
        "committed), move each staged day into the table (e.g. `hdfs dfs -mv "
        f"FOLDER/date=D {table.path}/`) and then delete the folder; without _SUCCESS the job "
        "never committed and the day never existed, so delete the folder. Or run once with a "
        "classic session (SPARK_MASTER instead of SPARK_REMOTE), which finishes a committed "
        "folder itself. Never delete a folder with _SUCCESS before its days are moved."
    )


def _paths(spark: SparkSession, glob: str) -> list[str]:
    """The files `glob` matches, listed by Spark (no file is read)."""
    try:
        # over Spark Connect the path is only resolved when rows are asked for
        files = spark.read.format("binaryFile").load(glob)
        return [row["path"] for row in files.select("path").collect()]
    except AnalysisException as error:
        if error.getCondition() == "PATH_NOT_FOUND":
            return []
        raise
