"""`tweet-lake sql "select * from gold_daily_counts order by date"`: SQL over the lake.

Every table in the lake is a Spark SQL view named like its asset (`bronze_tweets`,
`silver_tweets`, `silver_users`, `gold_daily_counts`) with its `date` partition column; bronze
is its pages parsed with the silver page schema. Without a query, an interactive prompt reads
one statement per line. The session is the pipeline's own (same master and SPARK_CONF).
"""

import sys

from pyspark.errors import PySparkException
from pyspark.sql import SparkSession

from tweet_assets import settings
from tweet_assets.assets import ASSETS
from tweet_assets.cli.tables import cli_session
from tweet_assets.lake import Table, days_in, read_days
from tweet_assets.transforms.silver import PAGE_SCHEMA

PROMPT = "tweet-lake> "


def register_views(spark: SparkSession, root: str) -> list[str]:
    """A temporary view per asset's table that has a day in the lake at `root` (a folder or a
    URI); the views' names, sorted."""
    views = []
    for asset_key in sorted(key for asset in ASSETS for key in asset.keys):
        table = Table.of(root, asset_key)
        if not days_in(spark, table):
            continue
        frame = read_days(
            spark, table, json_schema=PAGE_SCHEMA if table.raw else None, merge_schema=True
        )
        frame.createOrReplaceTempView(table.asset_name)
        views.append(table.asset_name)
    return views


def run(spark: SparkSession, query: str) -> str:
    """The result of `query` as a text table, with its row count."""
    frame = spark.sql(query).toPandas()
    body = frame.to_string(index=False) if len(frame) else "(no rows)"
    return f"{body}\n({len(frame)} rows)"


def main(config: settings.Settings, root: str, query: str | None) -> None:
    spark = cli_session(config)
    views = register_views(spark, root)
    if query:
        try:
            print(run(spark, query))
        except PySparkException as error:
            views_text = ", ".join(views) or "none"
            raise SystemExit(f"{error}\nviews in {root}: {views_text}") from None
        return
    print(f"views: {', '.join(views) or f'none yet in {root}'}; one statement a line")
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
            except PySparkException as error:
                print(error, file=sys.stderr)
