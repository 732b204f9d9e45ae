"""`make install`'s last step: the driver JVM's class data sharing archive (`CLASS_ARCHIVE`).

A run's driver JVM spends seconds loading, parsing and verifying Spark's and Delta's classes
before its first commit. This runs the whole graph (every asset and check, two days of the
offline corpus, into a lake in a temporary folder) on a local driver whose JVM writes the
classes it loaded into an archive as it exits; every later driver maps them from it
(`driver_java_options`). The archive holds classes only, no data. A JVM that cannot use it
(another JDK, other JARs) starts without it, saying nothing. `make install` makes it again
when the JARs or the packages change; after a JDK upgrade: `rm jars/driver.jsa && make install`.

    python -m tweet_assets.cli.class_archive
"""

import json
import tempfile
from datetime import date
from pathlib import Path

import dagster as dg
from pyspark import SparkContext
from pyspark.sql import SparkSession

from tweet_assets import settings
from tweet_assets.definitions import build
from tweet_assets.spark import CLASS_ARCHIVE, driver_java_options

# Any two days: the offline corpus makes every day's posts.
DAYS = (date(2026, 9, 1), date(2026, 9, 2))
JVM_EXIT_SECONDS = 600


def main() -> None:
    partial = CLASS_ARCHIVE.with_name(CLASS_ARCHIVE.name + ".part")
    for stale in (CLASS_ARCHIVE, partial):
        stale.unlink(missing_ok=True)
    with tempfile.TemporaryDirectory(prefix="tweet-lake-class-archive-") as work:
        _run_the_graph(Path(work) / "lake", f"-XX:ArchiveClassesAtExit={partial}")
    if not partial.is_file():
        print("No class archive (this JVM cannot write one): runs start without it.")
        return
    partial.rename(CLASS_ARCHIVE)
    print(f"Class archive for the driver JVM: {CLASS_ARCHIVE}")


def _run_the_graph(lake: Path, class_sharing: str) -> None:
    """Every asset and check of DAYS, on the defaults (a local driver, the offline corpus)
    whatever this shell sets, with `class_sharing` among the driver JVM's options; then the
    JVM's exit, when it writes the archive."""
    conf = {"spark.driver.extraJavaOptions": driver_java_options(class_sharing)}
    config = settings.load({settings.LAKE_ROOT: str(lake), settings.SPARK_CONF: json.dumps(conf)})
    (
        build(config)
        .resolve_implicit_global_asset_job_def()
        .execute_in_process(
            instance=dg.DagsterInstance.ephemeral(),
            run_config={"loggers": {"console": {"config": {"log_level": "ERROR"}}}},
            tags={
                "dagster/asset_partition_range_start": DAYS[0].isoformat(),
                "dagster/asset_partition_range_end": DAYS[-1].isoformat(),
            },
        )
    )  # raises when a step fails
    # Stop Spark, then close the JVM's stdin (its cue to exit) and wait for it.
    session = SparkSession.getActiveSession()
    if session is not None:
        session.stop()
    gateway = SparkContext._gateway
    if gateway is not None:
        gateway.proc.stdin.close()
        gateway.proc.wait(timeout=JVM_EXIT_SECONDS)


if __name__ == "__main__":
    main()
