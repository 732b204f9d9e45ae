"""SQL over the lake: `tweet-lake-sql "select * from gold_daily_counts order by date"`.

Every table in the lake is a Spark SQL view named like its asset (`bronze_tweets`,
`silver_tweets`, `silver_users`, `gold_daily_counts`) with its `date` partition column; bronze
is its pages parsed with the silver page schema. Without a query, an interactive prompt reads
one statement per line. The session is the pipeline's own (same master and SPARK_CONF).
"""

import argparse
import sys

from dagster_pyspark.resources import spark_session_from_config
from pyspark.errors import PySparkException
from pyspark.sql import SparkSession

from tweet_assets.definitions import defs
from tweet_assets.resources.lake_io_manager import RAW_LAYER, days_in, table_of, table_path_in
from tweet_assets.transforms.silver import PAGE_SCHEMA

PROMPT = "tweet-lake> "


def register_views(spark: SparkSession, root: str) -> list[str]:
    """A temporary view per asset's table that has a day in the lake at `root` (a folder or a
    URI); the views' names, sorted."""
    views = []
    for asset_key in sorted(defs.resolve_asset_graph().get_all_asset_keys()):
        table = table_path_in(root, asset_key)
        if not days_in(spark, table):
            continue
        reader = spark.read.option("basePath", table)
        if table_of(asset_key)[0] == RAW_LAYER:
            frame = reader.schema(PAGE_SCHEMA).json(table)
        else:
            frame = reader.parquet(table)
        frame.createOrReplaceTempView(asset_key.to_user_string())
        views.append(asset_key.to_user_string())
    return views


def run(spark: SparkSession, query: str) -> str:
    """The result of `query` as a text table, with its row count."""
    frame = spark.sql(query).toPandas()
    body = frame.to_string(index=False) if len(frame) else "(no rows)"
    return f"{body}\n({len(frame)} rows)"


def main(argv: list[str] | None = None) -> None:
    io_manager = defs.resources["io_manager"]
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("query", nargs="?", help="one SQL statement; omit it for a prompt")
    parser.add_argument("--root", default=io_manager.root, help="the lake: a folder or a URI")
    args = parser.parse_args(argv)
    spark = spark_session_from_config(io_manager.pyspark.spark_config)
    views = register_views(spark, args.root)
    if args.query:
        try:
            print(run(spark, args.query))
        except PySparkException as error:
            views_text = ", ".join(views) or "none"
            raise SystemExit(f"{error}\nviews in {args.root}: {views_text}") from None
        return
    print(f"views: {', '.join(views) or f'none yet in {args.root}'}; one statement a line")
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


if __name__ == "__main__":
    main()
