"""Materialize one asset for one day in this process and SIGKILL the process at a chosen moment.

    python -m tweet_assets_tests.integration.reliability.kill_run LAKE ASSET DAY POSTS MOMENT

MOMENT is where the run dies while it writes ASSET's day into its Delta table
(lake/writes.write_local_days):
- `writing-files`: while Spark writes the day's data files into the table's staging folder (a
  row of the write kills the run's whole process group, its JVM and Python workers included);
- `files-written`: as Spark's write job ends, around the files' move next to the table's and
  the commit of the table's log entry (a listener of Spark's events kills the group: before or
  after the entry, as the race falls);
- `after-log`: the log entry is committed, the step's metadata not yet recorded.
"""

import os
import signal
import sys
from pathlib import Path
from typing import Any, ClassVar

from pyspark.java_gateway import ensure_callback_server_started
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql.types import DateType

from tweet_assets.lake import io_manager
from tweet_assets.source import TwitterResource
from tweet_assets_tests.support.pipeline import materialize


def die(*_: object) -> None:
    os.killpg(os.getpgrp(), signal.SIGKILL)


def _killing(group: int) -> Any:
    """A UDF that kills the run's process group (`group`: Spark's Python workers have their
    own) from inside a task of the write."""

    def kill(day: Any) -> Any:
        os.killpg(group, signal.SIGKILL)
        return day

    return F.udf(kill, DateType())


class _KillAtJobEnd:
    """A Spark listener (every event a no-op) that kills the run when a job ends."""

    def onJobEnd(self, _event: object) -> None:
        die()

    def __getattr__(self, _name: str) -> Any:
        return lambda *_: None

    class Java:
        implements: ClassVar[list[str]] = ["org.apache.spark.scheduler.SparkListenerInterface"]


def main(lake: str, asset: str, day: str, posts: str, moment: str) -> None:
    write = io_manager.write_local_days
    if moment == "writing-files":

        def write_killing(df: DataFrame, *args: Any) -> Any:
            return write(df.withColumn("date", _killing(os.getpgrp())("date")), *args)

        io_manager.write_local_days = write_killing
    elif moment == "files-written":

        def write_then_die_at_job_end(df: DataFrame, *args: Any) -> Any:
            spark = SparkSession.getActiveSession()
            assert spark is not None
            ensure_callback_server_started(spark.sparkContext._gateway)
            spark.sparkContext._jsc.sc().addSparkListener(_KillAtJobEnd())
            return write(df, *args)

        io_manager.write_local_days = write_then_die_at_job_end
    elif moment == "after-log":

        def write_then_die(*args: Any) -> Any:
            write(*args)
            die()

        io_manager.write_local_days = write_then_die
    else:
        raise SystemExit(f"unknown moment {moment!r}")
    materialize(Path(lake), TwitterResource(demo_tweets_per_day=int(posts)), day, selection=asset)
    raise SystemExit(f"{asset} {day} was written without reaching {moment}")


if __name__ == "__main__":
    main(*sys.argv[1:])
