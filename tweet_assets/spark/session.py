"""The Spark session every run uses: one per run, local, on a cluster, or on Spark Connect.

Defaults suit a laptop or CI box. `SPARK_MASTER` (`spark://host:7077`, `yarn`, `k8s://...`)
makes the run's process the driver of a cluster application; `SPARK_REMOTE` (`sc://host:15002`)
makes it a thin client of a Spark Connect server, which holds the driver. `SPARK_CONF` (a JSON
object of Spark settings) overrides or adds any setting.
"""

import json
import os
from importlib import resources

from dagster_pyspark import LazyPySparkResource
from pyspark.sql import SparkSession

CONF_VARIABLE = "SPARK_CONF"
MASTER_VARIABLE = "SPARK_MASTER"
REMOTE_VARIABLE = "SPARK_REMOTE"
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


# Session settings: a Spark Connect client can set these (and only these) on its session.
SESSION_CONF = {
    **REQUIRED_CONF,
    # Adaptive execution merges shuffle partitions up to its target size (64 MB) rather than
    # keeping them apart for parallelism: small days stay one file per partition folder.
    "spark.sql.adaptive.coalescePartitions.parallelismFirst": "false",
    # Bronze days are single files of up to ~1 GB: 64 MB splits keep every core busy.
    "spark.sql.files.maxPartitionBytes": "64m",
    "spark.sql.execution.arrow.pyspark.enabled": "true",
}


def default_conf(master: str) -> dict[str, str]:
    """tweet-lake's Spark settings for a driver in this process on `master`."""
    cores = os.cpu_count() or 2
    # In local mode the driver JVM does all the work: a quarter of RAM, between 1 and 8 GiB.
    driver_mib = min(8192, max(1024, _memory_mib() // 4))
    conf = {
        "spark.master": master,
        "spark.app.name": "tweet-lake",
        **SESSION_CONF,
        "spark.driver.memory": f"{driver_mib}m",
        # The throughput collector warms up faster than G1 on short batch runs with few cores,
        # and quiet logging leaves Dagster's log readable.
        "spark.driver.extraJavaOptions": (
            f'-XX:+UseParallelGC -Dlog4j2.configurationFile="{LOG_CONFIG}"'
        ),
        "spark.ui.enabled": "false",
        "spark.ui.showConsoleProgress": "false",
        # Partition folders hold data files only: no _SUCCESS marker rewritten on every run.
        "spark.hadoop.mapreduce.fileoutputcommitter.marksuccessfuljobs": "false",
    }
    if master.startswith("local"):
        # Two tasks per core after a shuffle, merged by adaptive execution (see SESSION_CONF).
        # A cluster keeps Spark's default of 200, which adaptive execution merges just the same.
        conf["spark.sql.shuffle.partitions"] = str(2 * cores)
    return conf


def session_conf(master: str | None, remote: str | None) -> dict[str, str]:
    """The settings for SPARK_MASTER `master` or SPARK_REMOTE `remote` (at most one is set)."""
    if master and remote:
        raise ValueError(
            f"{MASTER_VARIABLE}={master} and {REMOTE_VARIABLE}={remote} are both set; set one: "
            f"{REMOTE_VARIABLE} to run on a Spark Connect server (its own master decides where "
            f"tasks run), or {MASTER_VARIABLE} to drive a cluster from this process"
        )
    if remote is None:
        return default_conf(master or "local[*]")
    if not remote.startswith("sc://"):
        raise ValueError(
            f"{REMOTE_VARIABLE}={remote} is not a Spark Connect URL; set it to "
            "sc://host:port (e.g. sc://localhost:15002), or unset it to run Spark in-process"
        )
    # The server owns the driver, its memory and its master; a client sets session settings.
    # Pages reach the server as cached, streamed artifacts, not inline in one huge plan.
    return {
        "spark.remote": remote,
        **SESSION_CONF,
        "spark.sql.session.localRelationCacheThreshold": str(8 * 2**20),
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


def spark_resource(
    master: str | None = None, overrides: dict[str, str] | None = None, remote: str | None = None
) -> LazyPySparkResource:
    """A lazily started SparkSession on `master` (default `local[*]`; `spark://host:7077`,
    `yarn`...) or, with `remote` (`sc://host:15002`), on a Spark Connect server."""
    overrides = overrides or {}
    server_side = sorted(key for key in overrides if not key.startswith("spark.sql."))
    if remote and server_side:
        raise ValueError(
            f"{CONF_VARIABLE} sets {', '.join(server_side)}, which a Spark Connect client cannot "
            f"set ({REMOTE_VARIABLE}={remote}); pass it to the server instead "
            f"(start-connect-server.sh --conf {server_side[0]}=...) and keep only spark.sql.* "
            f"session settings in {CONF_VARIABLE}"
        )
    return LazyPySparkResource(spark_config={**session_conf(master, remote), **overrides})


def is_connect(spark: object) -> bool:
    """Whether `spark` is a Spark Connect session (a client; its driver is the server)."""
    return type(spark).__module__.startswith("pyspark.sql.connect.")


def check_session(spark: SparkSession) -> None:
    """Fail when the session does not hold the settings the lake is built on.

    A Spark Connect client sets them on its server session, and a server can refuse a setting
    without failing the connection.
    """
    for key, value in REQUIRED_CONF.items():
        actual = spark.conf.get(key, None)
        if (actual or "").lower() != value.lower():
            raise RuntimeError(
                f"the Spark session has {key}={actual}; tweet-lake needs {value} to keep the "
                f"lake's days intact. Fix: allow the setting on the Spark Connect server, or "
                f"start the server with --conf {key}={value}"
            )
