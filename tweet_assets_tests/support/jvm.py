"""How the tests start Java: quickly.

The suite starts a few dozen short JVMs (the test session's Spark driver, every `dagster` and
`tweet-lake` subprocess, Spark Connect, a standalone cluster, the SQL server) on a 2-core
machine, where the JIT's optimizing compiler competes with the work for the cores and rarely
pays off before the JVM ends. The tests run them on the quick compiler alone; behaviour is the
same, only the code's speed differs. The benchmarks do not use this: they measure what users
run.
"""

import os

_QUICK = "-XX:TieredStopAtLevel=1"
# spark-class's launcher JVM, spark-submit's driver JVM, and the standalone master and worker.
QUICK_JVMS = {
    "SPARK_LAUNCHER_OPTS": f"{_QUICK} -XX:+UseSerialGC",
    "SPARK_SUBMIT_OPTS": _QUICK,
    "SPARK_DAEMON_JAVA_OPTS": _QUICK,
}


def start_jvms_quickly() -> None:
    """Every JVM this process and its children start from now on compiles with the quick
    compiler only."""
    os.environ.update(QUICK_JVMS)
