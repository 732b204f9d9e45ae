"""The Spark session every run uses: one local or cluster session per run, sized for the machine.

Defaults suit a laptop or CI box; `SPARK_MASTER` points the same assets at a cluster and
`SPARK_CONF` (a JSON object of Spark settings) overrides or adds any setting.
"""

import json
import os
from importlib import resources

from dagster_pyspark import LazyPySparkResource

CONF_VARIABLE = "SPARK_CONF"
LOG_CONFIG = resources.files("tweet_assets.resources") / "log4j2.properties"

# Settings the lake is built on: overriding them would corrupt it, so SPARK_CONF may not.
REQUIRED_CONF = {
    # Spark's default (static) overwrite with partitionBy deletes every partition of the
    # table; dynamic replaces only the partitions the written rows fall in.
    "spark.sql.sources.partitionOverwriteMode": "dynamic",
    # Partitions are UTC days: a session in another time zone would shift dates and times.
    "spark.sql.session.timeZone": "UTC",
    # A field of the wrong type in one post nulls that field alone; without partial results
    # Spark nulls the page's whole `data`, dropping its good posts with the bad one.
    "spark.sql.json.enablePartialResults": "true",
}


def _memory_mib() -> int:
    return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") // 2**20


def default_conf(master: str) -> dict[str, str]:
    """tweet-lake's Spark settings for `master` on this machine."""
    cores = os.cpu_count() or 2
    # In local mode the driver JVM does all the work: a quarter of RAM, between 1 and 8 GiB.
    driver_mib = min(8192, max(1024, _memory_mib() // 4))
    return {
        "spark.master": master,
        "spark.app.name": "tweet-lake",
        **REQUIRED_CONF,
        "spark.driver.memory": f"{driver_mib}m",
        # Two tasks per core after a shuffle, which adaptive execution merges up to its target
        # size (64 MB) rather than keeping them apart for parallelism: small days stay one file
        # per partition folder instead of one per core.
        "spark.sql.shuffle.partitions": str(2 * cores),
        "spark.sql.adaptive.coalescePartitions.parallelismFirst": "false",
        # Bronze days are single files of up to ~1 GB: 64 MB splits keep every core busy.
        "spark.sql.files.maxPartitionBytes": "64m",
        # The throughput collector warms up faster than G1 on short batch runs with few cores,
        # and quiet logging leaves Dagster's log readable.
        "spark.driver.extraJavaOptions": (
            f'-XX:+UseParallelGC -Dlog4j2.configurationFile="{LOG_CONFIG}"'
        ),
        "spark.sql.execution.arrow.pyspark.enabled": "true",
        "spark.ui.enabled": "false",
        "spark.ui.showConsoleProgress": "false",
        # Partition folders hold data files only: no _SUCCESS marker rewritten on every run.
        "spark.hadoop.mapreduce.fileoutputcommitter.marksuccessfuljobs": "false",
    }


def parse_conf(text: str | None) -> dict[str, str]:
    """The settings of a SPARK_CONF value: a JSON object of Spark keys to scalar values."""
    if not text:
        return {}
    try:
        conf = json.loads(text)
    except json.JSONDecodeError as error:
        raise ValueError(
            f"{CONF_VARIABLE} is not valid JSON ({error.msg} at character {error.pos}); set it "
            'to a JSON object, e.g. {"spark.sql.shuffle.partitions": "8"}'
        ) from None
    if not isinstance(conf, dict):
        raise ValueError(
            f"{CONF_VARIABLE} is a JSON {type(conf).__name__}, not an object; set it to "
            'a JSON object, e.g. {"spark.sql.shuffle.partitions": "8"}'
        )
    settings = {}
    for key, value in conf.items():
        if not key.startswith("spark.") or isinstance(value, dict | list) or value is None:
            raise ValueError(
                f"{CONF_VARIABLE} sets {key!r} to {value!r}; every key must be a Spark setting "
                "(spark.*) and every value a string, number or boolean"
            )
        settings[key] = str(value).lower() if isinstance(value, bool) else str(value)
        if key in REQUIRED_CONF and settings[key].lower() != REQUIRED_CONF[key].lower():
            raise ValueError(
                f"{CONF_VARIABLE} sets {key}={settings[key]}; tweet-lake needs "
                f"{REQUIRED_CONF[key]} to keep the lake's days intact: remove {key} from "
                f"{CONF_VARIABLE}"
            )
    return settings


def spark_resource(master: str, overrides: dict[str, str] | None = None) -> LazyPySparkResource:
    """A lazily started SparkSession on `master` (e.g. `local[*]`, `spark://host:7077`)."""
    return LazyPySparkResource(spark_config={**default_conf(master), **(overrides or {})})
