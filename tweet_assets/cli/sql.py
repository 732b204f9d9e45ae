"""`tweet-lake sql "select * from gold.daily_counts order by date"`: SQL over the lake.

Every table in the lake is a SQL table with its lakehouse name (`bronze.tweets`,
`silver.tweets`, `silver.users`, `gold.daily_counts`, `gold.daily_hashtags`; `lake.catalog`)
and its `date` partition column; bronze's pages are text (`value`), read with `from_json`.
Without a query, an interactive prompt reads one statement per line. The session is the
pipeline's own (same master and SPARK_CONF), and read-only: only queries, SHOW, DESCRIBE and
EXPLAIN run (`lake.catalog.statement_refusal`, over the statement as Spark's parser reads it);
anything else is refused before it runs. A Spark Connect client has no parser, so over
`SPARK_REMOTE` the statement is parsed by a JVM of this process that only parses.
"""

import functools
import sys
from typing import Any

from py4j.protocol import Py4JJavaError
from pyspark.errors import PySparkException
from pyspark.java_gateway import launch_gateway
from pyspark.sql import SparkSession

from tweet_assets import settings
from tweet_assets.assets import ASSETS
from tweet_assets.cli.tables import cli_session
from tweet_assets.lake import (
    READ_ONLY_CONF,
    LegacyLayoutError,
    Table,
    TableNotOurs,
    register_tables,
    statement_refusal,
)
from tweet_assets.spark import is_connect

PROMPT = "tweet-lake> "


def lake_tables(spark: SparkSession, root: str) -> list[str]:
    """Each asset's table that has a day in the lake at `root` (a folder or a URI), as a SQL
    table; their names, sorted."""
    tables = [Table.of(root, key) for asset in ASSETS for key in asset.keys]
    return register_tables(spark, tables)


class WriteRefused(Exception):
    """A statement that is not a query, SHOW, DESCRIBE or EXPLAIN."""


def read_only_session(config: settings.Settings) -> SparkSession:
    """The runs' session settings, refusing writes (`lake.catalog`). A classic session gets a
    session of its own (sharing the JVM and catalog), so its setting stays its own."""
    spark = cli_session(config)
    if not is_connect(spark):
        spark = spark.newSession()
    for key, value in READ_ONLY_CONF.items():
        spark.conf.set(key, value)
    return spark


def run(spark: SparkSession, query: str) -> str:
    """The result of `query` as a text table, with its row count."""
    jvm, parser = _local_parser() if is_connect(spark) else _parser(spark)
    try:
        plan = parser.parsePlan(query)
    except Py4JJavaError as error:  # Spark's own message: the statement does not parse
        raise WriteRefused(str(error.java_exception.getMessage())) from None
    refusal = statement_refusal(plan, jvm)
    if refusal:
        raise WriteRefused(refusal)
    frame = spark.sql(query).toPandas()
    body = frame.to_string(index=False) if len(frame) else "(no rows)"
    return f"{body}\n({len(frame)} rows)"


def _parser(spark: SparkSession) -> tuple[Any, Any]:
    return spark._jvm, spark._jsparkSession.sessionState().sqlParser()


@functools.cache
def _local_parser() -> tuple[Any, Any]:
    """Spark's SQL parser in a JVM of this process that runs no Spark (for a Connect client)."""
    with settings.hidden(settings.SPARK_REMOTE):
        jvm = launch_gateway().jvm
    return jvm, jvm.org.apache.spark.sql.execution.SparkSqlParser()


def main(config: settings.Settings, root: str, query: str | None) -> None:
    spark = read_only_session(config)
    try:
        tables = lake_tables(spark, root)
    except (TableNotOurs, LegacyLayoutError) as taken:
        raise SystemExit(f"tweet-lake sql: {taken}") from None
    if query:
        try:
            print(run(spark, query))
        except WriteRefused as refused:
            raise SystemExit(str(refused)) from None
        except PySparkException as error:
            raise SystemExit(f"{error}\ntables in {root}: {', '.join(tables) or 'none'}") from None
        return
    print(f"tables: {', '.join(tables) or f'none yet in {root}'}; one statement a line")
    while True:
        try:
            statement = input(PROMPT).strip().rstrip(";")
        except EOFError:
            break
        if statement.lower() in ("exit", "quit"):
            break
        if statement:
            try:
                print(run(spark, statement))
            except (PySparkException, WriteRefused) as error:
                print(error, file=sys.stderr)
