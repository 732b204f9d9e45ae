"""The Spark session settings every run uses: one local or cluster session per run."""

from dagster_pyspark import LazyPySparkResource


def spark_resource(master: str) -> LazyPySparkResource:
    """A lazily started SparkSession on `master` (e.g. `local[*]`, `spark://host:7077`)."""
    return LazyPySparkResource(
        spark_config={
            "spark.master": master,
            "spark.app.name": "tweet-lake",
            "spark.sql.session.timeZone": "UTC",
            # Spark's default (static) overwrite with partitionBy deletes every partition of the
            # table; dynamic replaces only the partitions the written rows fall in.
            "spark.sql.sources.partitionOverwriteMode": "dynamic",
            # The lake's days are small and the machine is a laptop: 200 shuffle partitions would
            # mean 200 near-empty tasks and files per step.
            "spark.sql.shuffle.partitions": "4",
            "spark.sql.execution.arrow.pyspark.enabled": "true",
            "spark.ui.enabled": "false",
            "spark.ui.showConsoleProgress": "false",
            # Partition folders hold data files only: no _SUCCESS marker rewritten on every run.
            "spark.hadoop.mapreduce.fileoutputcommitter.marksuccessfuljobs": "false",
        }
    )
