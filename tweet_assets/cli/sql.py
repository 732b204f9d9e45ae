"""`tweet-lake sql "select * from gold.daily_counts order by date"`: SQL over the lake.

Every table in the lake is a SQL table with its lakehouse name (`bronze.tweets`,
`silver.tweets`, `silver.users`, `gold.daily_counts`, `gold.daily_hashtags`; `lake.catalog`)
and its `date` partition column; bronze is its pages parsed with the silver page schema.
Without a query, an interactive prompt reads one statement per line. The session is the
pipeline's own (same master and SPARK_CONF), and read-only: a write statement is refused before
any file is written.
"""

import sys

from pyspark.errors import PySparkException
from pyspark.sql import SparkSession

from tweet_assets import settings
from tweet_assets.assets import ASSETS
from tweet_assets.cli.tables import cli_session
from tweet_assets.lake import READ_ONLY_CONF, Table, register_tables, write_refusal
from tweet_assets.spark import is_connect
from tweet_assets.transforms.silver import PAGE_SCHEMA

PROMPT = "tweet-lake> "


def lake_tables(spark: SparkSession, root: str) -> list[str]:
    """Each asset's table that has a day in the lake at `root` (a folder or a URI), as a SQL
    table; their names, sorted."""
    tables = [Table.of(root, key) for asset in ASSETS for key in asset.keys]
    return register_tables(spark, tables, PAGE_SCHEMA)


class WriteRefused(Exception):
    """A statement that would write the lake."""


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
    if not is_connect(spark):  # a Spark Connect client has no parser: the setting refuses
        plan = spark._jsparkSession.sessionState().sqlParser().parsePlan(query)
        refusal = write_refusal(plan.getClass().getSimpleName())
        if refusal:
            raise WriteRefused(refusal)
    frame = spark.sql(query).toPandas()
    body = frame.to_string(index=False) if len(frame) else "(no rows)"
    return f"{body}\n({len(frame)} rows)"


def main(config: settings.Settings, root: str, query: str | None) -> None:
    spark = read_only_session(config)
    tables = lake_tables(spark, root)
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
