"""`tweet-lake sql-server`: the lake's tables for any BI tool, over JDBC (HiveServer2's protocol).

The Spark Thrift Server (`HiveThriftServer2`, shipped in pyspark's jars) started in a Spark
session of its own, on the runs' Spark settings (`SPARK_MASTER`, `SPARK_CONF`; a Spark Connect
client cannot host it, so `SPARK_REMOTE` is not used), over the tables of `lake.catalog`, on
127.0.0.1:PORT. Every query reads its tables' Delta logs, so the days runs commit while it is
up are in the next query. Read-only: each connection's session checks every analyzed plan with a
rule of this process (a Scala function served over py4j) and runs only queries, SHOW, DESCRIBE
and EXPLAIN (`lake.catalog.statement_refusal`), and its commit protocol could not write a file
anyway.

It says `ready` once a query through its own JDBC port has answered, and stops on Ctrl-C or
SIGTERM, its Spark driver with it.
"""

import signal
import socket
import threading
from typing import Any, ClassVar

from pyspark.java_gateway import ensure_callback_server_started

from tweet_assets import settings
from tweet_assets.cli.sql import lake_tables
from tweet_assets.lake import (
    CATALOG_CONF,
    READ_ONLY_CONF,
    WAREHOUSE,
    LegacyLayoutError,
    TableNotOurs,
    statement_refusal,
)
from tweet_assets.spark import session_conf, start_session

DEFAULT_PORT = 10000
HOST = "127.0.0.1"


def jdbc_url(port: int) -> str:
    return f"jdbc:hive2://{HOST}:{port}/default"


def main(config: settings.Settings, root: str, port: int) -> None:
    _refuse_a_busy_port(port)
    conf = {
        **session_conf(config.spark_master, None),
        **CATALOG_CONF,  # SPARK_CONF may name another catalog (a shared Hive metastore)
        **config.spark_conf,
        **READ_ONLY_CONF,
        "spark.app.name": "tweet-lake-sql-server",
        # HiveServer2's own settings reach it through the session's Hadoop configuration
        "spark.hadoop.hive.server2.thrift.bind.host": HOST,
        "spark.hadoop.hive.server2.thrift.port": str(port),
    }
    # HiveServer2's own Hive client (an in-memory Derby) logs to derby.log in the working folder
    options = conf.get("spark.driver.extraJavaOptions", "")
    derby_log = f"-Dderby.stream.error.file={WAREHOUSE / 'derby.log'}"
    conf["spark.driver.extraJavaOptions"] = f"{options} {derby_log}".strip()
    spark = start_session(conf)
    # after the session's start: pyspark puts its own Ctrl-C handler in place then
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    try:
        try:
            tables = lake_tables(spark, root)
        except (TableNotOurs, LegacyLayoutError) as taken:
            raise SystemExit(f"tweet-lake sql-server: {taken}") from None
        jvm = spark._jvm
        if jvm is None:
            raise SystemExit("the SQL server needs a classic Spark session")
        # Each JDBC connection is a new session of this one: each checks its plans here.
        ensure_callback_server_started(spark.sparkContext._gateway)
        spark._jsparkSession.extensions().injectCheckRule(_EverySession(jvm))
        thrift = jvm.org.apache.spark.sql.hive.thriftserver.HiveThriftServer2
        server = thrift.startWithContext(spark._jsparkSession.sqlContext())
        try:
            _answered(jvm, port)
            listed = ", ".join(tables) or f"none yet in {root}"
            print(
                f"ready: {jdbc_url(port)} (read-only; tables: {listed}); Ctrl-C stops it",
                flush=True,
            )
            stop.wait()
        finally:
            server.stop()
    finally:
        spark.stop()
    print("stopped", flush=True)


class _RefuseWrites:
    """A Spark check rule (a Scala function of an analyzed plan) refusing all but reads."""

    def __init__(self, jvm: Any) -> None:
        self.jvm = jvm

    def apply(self, plan: Any) -> None:
        refusal = statement_refusal(plan, self.jvm)
        if refusal:
            raise PermissionError(refusal)

    class Java:
        implements: ClassVar[list[str]] = ["scala.Function1"]


class _EverySession:
    """What Spark asks each new session for: its check rule."""

    def __init__(self, jvm: Any) -> None:
        self.jvm = jvm

    def apply(self, session: object) -> _RefuseWrites:
        return _RefuseWrites(self.jvm)

    class Java:
        implements: ClassVar[list[str]] = ["scala.Function1"]


def _refuse_a_busy_port(port: int) -> None:
    """Stop before starting Spark when something already listens on the port: HiveServer2 would
    fail to bind in the background, and the readiness query would ask the other listener."""
    with socket.socket() as probe:
        try:
            probe.bind((HOST, port))
        except OSError as error:
            raise SystemExit(
                f"tweet-lake sql-server: {HOST}:{port} is in use ({error.strerror}): give "
                "another port with --port N (make sql-server PORT=N)"
            ) from None


def _answered(jvm: object, port: int) -> None:
    """Wait until a query through the server's JDBC port answers (its port opens first)."""
    driver_manager = jvm.java.sql.DriverManager  # type: ignore[attr-defined]
    jvm.java.lang.Class.forName("org.apache.hive.jdbc.HiveDriver")  # type: ignore[attr-defined]
    deadline = 60.0
    waited = 0.0
    while True:
        try:
            connection = driver_manager.getConnection(jdbc_url(port), "", "")
            try:
                connection.createStatement().executeQuery("SELECT 1").next()
                return
            finally:
                connection.close()
        except Exception as error:  # the port is not open yet, or the service not started
            if waited >= deadline:
                raise SystemExit(
                    f"the SQL server did not answer on {jdbc_url(port)}: {error}"
                ) from None
        threading.Event().wait(0.5)
        waited += 0.5
