"""silver and gold as a bare Spark job, no Dagster: the baseline a Dagster run is held against.

The same transformations, Spark settings and bronze as a Dagster run; the job reads the bronze
days, writes silver tweets and users, reads silver tweets back and writes gold, the way the
seed course's spark-submit jobs did. Prints the seconds of each stage as JSON, and those of
silver run a second time in the same session (the JIT warm). Gold is both gold tables.
Gold reads the days' fetch records beside the bronze pages, as the Dagster run's gold does.
Usage: python bench/bare_spark.py BRONZE_TABLE OUT_DIR FIRST_DAY LAST_DAY (BRONZE_TABLE a folder
ending in bronze/tweets)
"""

import json
import sys
import time
from datetime import date, timedelta
from pathlib import Path

from pyspark.sql import DataFrame, SparkSession

from tweet_assets.lake import Table, read_fetch_records
from tweet_assets.spark import default_conf
from tweet_assets.transforms.gold import daily_counts, daily_hashtags
from tweet_assets.transforms.silver import PAGE_SCHEMA, tweets_from_pages, users_from_pages


def write(df: DataFrame, path: str) -> None:
    df.write.mode("overwrite").partitionBy("date").parquet(path)


def main(bronze: str, out: str, first: str, last: str) -> dict[str, float]:
    started = time.perf_counter()
    builder = SparkSession.builder
    for key, value in default_conf("local[*]").items():
        builder = builder.config(key, value)
    spark = builder.getOrCreate()
    seconds = {"session": time.perf_counter() - started}

    first_day, last_day = date.fromisoformat(first), date.fromisoformat(last)
    days = [first_day + timedelta(n) for n in range((last_day - first_day).days + 1)]
    paths = [f"{bronze}/date={day}" for day in days]
    pages = spark.read.option("basePath", bronze).schema(PAGE_SCHEMA).json(paths)

    mark = time.perf_counter()
    write(tweets_from_pages(pages), f"{out}/silver/tweets")
    write(users_from_pages(pages), f"{out}/silver/users")
    seconds["silver"] = time.perf_counter() - mark

    mark = time.perf_counter()
    silver_tweets = spark.read.parquet(f"{out}/silver/tweets")
    bronze_table = Table(str(Path(bronze).parent.parent), "bronze", "tweets")
    fetches = read_fetch_records(spark, bronze_table, days)
    write(daily_counts(silver_tweets, days, fetches), f"{out}/gold/daily_counts")
    seconds["gold_counts"] = time.perf_counter() - mark
    write(daily_hashtags(silver_tweets), f"{out}/gold/daily_hashtags")
    seconds["gold"] = time.perf_counter() - mark
    seconds["gold_hashtags"] = seconds["gold"] - seconds["gold_counts"]

    # Silver again in the now warm JVM: Spark's steady state, apart from its JIT warm-up.
    mark = time.perf_counter()
    write(tweets_from_pages(pages), f"{out}/warm/silver/tweets")
    write(users_from_pages(pages), f"{out}/warm/silver/users")
    seconds["silver_warm"] = time.perf_counter() - mark
    spark.stop()
    return seconds


if __name__ == "__main__":
    print(json.dumps(main(*sys.argv[1:5])))
