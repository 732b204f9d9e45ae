"""The Spark session every run uses: one per run, local, on a cluster, or on Spark Connect.

Defaults suit a laptop or CI box. A master (`spark://host:7077`, `yarn`, `k8s://...`) makes the
run's process the driver of a cluster application; a remote (`sc://host:15002`) makes it a thin
client of a Spark Connect server, which holds the driver. Overrides (SPARK_CONF) add or change
any setting but the lake's required ones (`settings.REQUIRED_SPARK_CONF`).
"""

import contextlib
import os
import sys
import threading
from collections.abc import Iterator
from importlib import resources
from pathlib import Path

from dagster_pyspark import LazyPySparkResource
from pyspark.sql import SparkSession

from tweet_assets.settings import DEFAULT_SPARK_MASTER, REQUIRED_SPARK_CONF
from tweet_assets.spark.delta import check_jars, delta_conf

LOG_CONFIG = resources.files("tweet_assets.spark") / "log4j2.properties"
# make install's class data sharing archive for a driver JVM (git ignores it): the classes a
# run loads, parsed and verified once (tweet_assets/cli/class_archive.py).
CLASS_ARCHIVE = Path(__file__).resolve().parents[2] / "jars" / "driver.jsa"
# The JVM's own CDS messages: given an archive another JDK or class path made, it starts
# without it (and without the JDK's own class archive, a fraction of a second).
_QUIET_CDS = "-Xlog:cds=off -Xlog:cds+dynamic=off"
_INCUBATOR_NOTICE = b"WARNING: Using incubator modules"


def _memory_mib() -> int:
    return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") // 2**20


# Session settings: a Spark Connect client can set these (and only these) on its session.
SESSION_CONF = {
    **REQUIRED_SPARK_CONF,
    # Adaptive execution merges shuffle partitions up to its target size (64 MB) rather than
    # keeping them apart for parallelism: small days stay one file per partition folder.
    "spark.sql.adaptive.coalescePartitions.parallelismFirst": "false",
    # Bronze days are single files of up to ~1 GB: 64 MB splits keep every core busy.
    "spark.sql.files.maxPartitionBytes": "64m",
    "spark.sql.execution.arrow.pyspark.enabled": "true",
    # Silver's page schema (with the posts' entities) has more fields than the 25 Spark writes
    # of a plan before it warns, once a process, that it truncated the plan's text.
    "spark.sql.debug.maxToStringFields": "200",
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
        **delta_conf(),
        "spark.driver.memory": f"{driver_mib}m",
        "spark.driver.extraJavaOptions": driver_java_options(
            f"-XX:SharedArchiveFile={CLASS_ARCHIVE}" if CLASS_ARCHIVE.is_file() else None
        ),
        "spark.ui.enabled": "false",
        "spark.ui.showConsoleProgress": "false",
        # Partition folders hold data files only: no _SUCCESS marker from a file write.
        "spark.hadoop.mapreduce.fileoutputcommitter.marksuccessfuljobs": "false",
    }
    if master.startswith("local"):
        # Two tasks per core after a shuffle, merged by adaptive execution (see SESSION_CONF).
        # A cluster keeps Spark's default of 200, which adaptive execution merges just the same.
        conf["spark.sql.shuffle.partitions"] = str(2 * cores)
        # Delta replays a table's log in this many tasks each time a commit makes a new
        # version (50 by default, sized for clusters). The lake's logs are small: one task
        # replays one in a fraction of a second, and makes Spark's Delta commits and reads
        # (a lake at a URI, tweet-lake sql, optimize, migrate) about a fifth as costly as 50
        # tasks here (bench/AB-2026-12-03-issue-26.md).
        conf["spark.databricks.delta.snapshotPartitions"] = "1"
        # Listing a folder in parallel (Delta's VACUUM, a partition discovery of many paths)
        # splits it into up to 10,000 tasks by default: thousands of tasks for a small table.
        conf["spark.sql.sources.parallelPartitionDiscovery.parallelism"] = str(2 * cores)
    return conf


def driver_java_options(class_sharing: str | None) -> str:
    """A driver JVM's options, with `class_sharing` (the archive to map or to write) if any.

    The throughput collector warms up faster than G1 on short batch runs with few cores, and
    quiet logging leaves Dagster's log readable. A class archive saves a driver about a tenth
    of a short run: the JVM maps the Spark and Delta classes it would otherwise load, parse and
    verify one by one (bench/AB-2026-12-03-issue-26.md)."""
    options = f'-XX:+UseParallelGC -Dlog4j2.configurationFile="{LOG_CONFIG}"'
    return f"{options} {class_sharing} {_QUIET_CDS}" if class_sharing else options


def session_conf(master: str | None, remote: str | None) -> dict[str, str]:
    """The settings for a driver in this process on `master` (default `local[*]`), or for a
    client of the Spark Connect server at `remote` (settings.load checked that one is set)."""
    if remote is None:
        return default_conf(master or DEFAULT_SPARK_MASTER)
    # The server owns the driver, its memory and its master; a client sets session settings.
    # Pages reach the server as cached, streamed artifacts, not inline in one huge plan.
    return {
        "spark.remote": remote,
        **SESSION_CONF,
        "spark.sql.session.localRelationCacheThreshold": str(8 * 2**20),
    }


def spark_resource(
    master: str | None = None, overrides: dict[str, str] | None = None, remote: str | None = None
) -> LazyPySparkResource:
    """A lazily started SparkSession on `master` (default `local[*]`; `spark://host:7077`,
    `yarn`...) or, with `remote` (`sc://host:15002`), on a Spark Connect server; `overrides`
    (SPARK_CONF) win over tweet-lake's settings."""
    return LazyPySparkResource(spark_config={**session_conf(master, remote), **(overrides or {})})


def session_of(resource: LazyPySparkResource) -> SparkSession:
    """The resource's session, started on first use without the JVM's start-up notice."""
    if SparkSession.getActiveSession() is not None:  # the JVM is up: nothing to filter
        return resource.spark_session
    if "spark.remote" not in resource.spark_config:
        check_jars()
    with _jvm_notices_dropped():
        return resource.spark_session


def start_session(conf: dict[str, str]) -> SparkSession:
    """A session with `conf` (or the one already running in this process)."""
    return session_of(LazyPySparkResource(spark_config=conf))


@contextlib.contextmanager
def _jvm_notices_dropped() -> Iterator[None]:
    # Spark's launcher always adds `--add-modules=jdk.incubator.vector`, so every JVM it starts
    # prints "WARNING: Using incubator modules" on stderr: nothing a user can act on. A JVM
    # started inside this block writes its stderr into a pipe; a thread passes every line on to
    # this process's stderr of the moment but that one, for as long as the JVM lives.
    sys.stderr.flush()
    original = os.dup(2)
    read_end, write_end = os.pipe()
    os.dup2(write_end, 2)
    os.close(write_end)
    threading.Thread(target=_pass_on, args=(read_end, original), daemon=True).start()
    try:
        yield
    finally:
        sys.stderr.flush()
        os.dup2(original, 2)


def _pass_on(read_end: int, destination: int) -> None:
    with os.fdopen(read_end, "rb") as lines, contextlib.suppress(OSError):
        for line in lines:
            if not line.startswith(_INCUBATOR_NOTICE):
                os.write(destination, line)
    os.close(destination)


def is_connect(spark: object) -> bool:
    """Whether `spark` is a Spark Connect session (a client; its driver is the server)."""
    return type(spark).__module__.startswith("pyspark.sql.connect.")


def check_session(spark: SparkSession) -> None:
    """Fail when the session does not hold the settings the lake is built on.

    A Spark Connect client sets them on its server session, and a server can refuse a setting
    without failing the connection.
    """
    for key, value in REQUIRED_SPARK_CONF.items():
        actual = spark.conf.get(key, None)
        if (actual or "").lower() != value.lower():
            raise RuntimeError(
                f"the Spark session has {key}={actual}; tweet-lake needs {value} to keep the "
                f"lake's days intact. Fix: allow the setting on the Spark Connect server, or "
                f"start the server with --conf {key}={value}"
            )
