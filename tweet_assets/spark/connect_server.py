"""`make connect-server PORT=N`: a Spark Connect server on 127.0.0.1:N for the runs
(`SPARK_REMOTE=sc://127.0.0.1:N`), with Delta Lake, in the foreground until Ctrl-C.

pyspark's own `sbin/spark-daemon.sh` submitting Spark's Connect server class (what Spark's
`start-connect-server.sh` does; pyspark 4.2's wheel lacks that script), given `server_conf`:
what any Connect server the runs use needs (Delta's JARs, extension and catalog; `spark.jars`
makes them the server's, as a Connect client cannot add JARs). The tests start theirs with the
same settings and command.
"""

import argparse
import os
from pathlib import Path

import pyspark

from tweet_assets.spark.delta import check_jars, delta_conf

HOST = "127.0.0.1"
DEFAULT_PORT = 15002
SPARK_HOME = Path(pyspark.__file__).parent
DAEMON = SPARK_HOME / "sbin" / "spark-daemon.sh"
SERVER_CLASS = "org.apache.spark.sql.connect.service.SparkConnectServer"


def daemon(action: str, *arguments: str) -> list[str]:
    """The command that starts (`submit`) or stops (`stop`) the Connect server's daemon."""
    return ["bash", str(DAEMON), action, SERVER_CLASS, "1", *arguments]


def start_command(conf: dict[str, str], *options: str) -> list[str]:
    """The command that starts a Connect server with `conf` and spark-submit `options`."""
    return daemon("submit", "--name", "Spark Connect server", *arguments(conf), *options)


def server_conf(port: int) -> dict[str, str]:
    """A Connect server's settings: bound to loopback on `port`, with Delta Lake."""
    return {
        "spark.connect.grpc.binding.address": HOST,
        "spark.connect.grpc.binding.port": str(port),
        **delta_conf(),
    }


def arguments(conf: dict[str, str]) -> list[str]:
    """`conf` as spark-submit's `--conf` arguments."""
    return [arg for key, value in conf.items() for arg in ("--conf", f"{key}={value}")]


def main() -> None:
    parser = argparse.ArgumentParser(prog="make connect-server", description=__doc__)
    parser.add_argument("--port", type=int, default=DEFAULT_PORT)
    port = parser.parse_args().port
    check_jars()
    print(f"Spark Connect on sc://{HOST}:{port} (SPARK_REMOTE); Ctrl-C stops it", flush=True)
    # in the foreground when SPARK_NO_DAEMONIZE is set (make connect-server sets it)
    os.execv("/bin/bash", start_command(server_conf(port)))


if __name__ == "__main__":
    main()
