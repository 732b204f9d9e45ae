"""silver and gold as a bare Spark job, no Dagster: the baseline a Dagster run is held against.

The Spark work of a Dagster run of silver and gold with their checks, through the same
functions, settings and bronze, in the order the run does it:
- silver: bronze parsed once (cached), silver_tweets written (its bad records and rows
  observed), silver_users written, bronze's post ids counted for the check on them, and each
  table's preview row read back, as the IO manager does;
- silver's checks: its blocking rules, and users' ids;
- gold: each table's refusal of broken silver days and its metadata, then the table written and
  its preview read back; gold reads the days' fetch records beside the bronze pages;
- gold's checks against silver.
What it leaves out is Dagster's: the instance's event log, the steps, the day locks and the
history lookup of the version each write made; the tables are Delta tables in a local folder,
written and read as a run writes and reads them there (`write_local_days`: Spark writes the
files, delta-rs commits them; reads of the files a version names).

Prints the seconds of each stage as JSON, and those of silver run a second time in the same
session (the JIT warm). Usage: python bench/bare_spark.py BRONZE_TABLE OUT_DIR FIRST_DAY
LAST_DAY (BRONZE_TABLE a folder ending in bronze/tweets)
"""

import json
import shutil
import sys
import time
from datetime import date, timedelta
from pathlib import Path

from pyspark.sql import DataFrame, Observation, SparkSession
from pyspark.sql import functions as F

from tweet_assets.lake import Table, delta_rs, read_days, read_fetch_records
from tweet_assets.lake.writes import write_local_days
from tweet_assets.spark import default_conf
from tweet_assets.transforms.checks import (
    bronze_post_ids,
    count_problems,
    hashtag_problems,
    user_problems,
)
from tweet_assets.transforms.gold import (
    GOLD_COLUMNS,
    daily_hashtags,
    daily_rows,
    hashtag_leaders,
)
from tweet_assets.transforms.rules import DAY_RULES, KEY_RULES, rule_breaks
from tweet_assets.transforms.silver import (
    PAGE_SCHEMA,
    parsed_once,
    tweets_from_pages,
    users_from_pages,
)

PREVIEW_ROWS = 5


def write(df: DataFrame, table: Table, days: list[date]) -> None:
    """The run's write of a table (made first if new; its guard on the days and its count of
    rows per day), and the IO manager's preview read back."""
    if not delta_rs.exists(table):
        delta_rs.create(table, df.schema.jsonValue(), "{}")
    write_local_days(df, table, days, {"asset": "bench"})
    delta_rs.first_rows(table, days, PREVIEW_ROWS)


def silver(spark: SparkSession, bronze: str, out: str, days: list[date]) -> None:
    table = Table(str(Path(bronze).parent.parent), "bronze", "tweets")
    pages = parsed_once(read_days(spark, table, days, PAGE_SCHEMA, local=True))
    bad, rows = Observation("bad_records"), Observation("silver_rows")
    per_day = [F.count_if(F.col("date") == F.lit(day)).alias(str(day)) for day in days]
    write(
        tweets_from_pages(pages, bad).observe(rows, *per_day), Table(out, "silver", "tweets"), days
    )
    assert bad.get is not None and rows.get is not None
    write(users_from_pages(pages), Table(out, "silver", "users"), days)
    bronze_post_ids(pages).collect()
    pages.unpersist()


def main(bronze: str, out: str, first: str, last: str) -> dict[str, float]:
    shutil.rmtree(out, ignore_errors=True)  # the tables are written new: a previous run's go
    started = time.perf_counter()
    builder = SparkSession.builder
    for key, value in default_conf("local[*]").items():
        builder = builder.config(key, value)
    spark = builder.getOrCreate()
    seconds = {"session": time.perf_counter() - started}

    first_day, last_day = date.fromisoformat(first), date.fromisoformat(last)
    days = [first_day + timedelta(n) for n in range((last_day - first_day).days + 1)]

    mark = time.perf_counter()
    silver(spark, bronze, out, days)
    seconds["silver"] = time.perf_counter() - mark

    mark = time.perf_counter()
    silver_tweets = read_days(spark, Table(out, "silver", "tweets"), days, local=True)
    rule_breaks(silver_tweets, KEY_RULES).collect()
    rule_breaks(silver_tweets, DAY_RULES).collect()
    user_problems(read_days(spark, Table(out, "silver", "users"), days, local=True)).collect()
    seconds["silver_checks"] = time.perf_counter() - mark

    mark = time.perf_counter()
    bronze_table = Table(str(Path(bronze).parent.parent), "bronze", "tweets")
    fetches = read_fetch_records(spark, bronze_table, days, local=True)
    computed = daily_rows(silver_tweets, days, fetches).localCheckpoint()
    computed.collect()  # gold's refusal of broken days and its metadata
    write(computed.select(*GOLD_COLUMNS), Table(out, "gold", "daily_counts"), days)
    seconds["gold_counts"] = time.perf_counter() - mark
    rule_breaks(silver_tweets).collect()
    hashtags = daily_hashtags(silver_tweets).localCheckpoint()
    hashtag_leaders(hashtags, 10).collect()
    write(hashtags, Table(out, "gold", "daily_hashtags"), days)
    seconds["gold"] = time.perf_counter() - mark
    seconds["gold_hashtags"] = seconds["gold"] - seconds["gold_counts"]

    mark = time.perf_counter()
    counts = read_days(spark, Table(out, "gold", "daily_counts"), days, local=True)
    count_problems(counts, silver_tweets).collect()
    hashtags = read_days(spark, Table(out, "gold", "daily_hashtags"), days, local=True)
    hashtag_problems(hashtags, silver_tweets).collect()
    seconds["gold_checks"] = time.perf_counter() - mark

    # Silver again in the now warm JVM: Spark's steady state, apart from its JIT warm-up.
    mark = time.perf_counter()
    silver(spark, bronze, f"{out}/warm", days)
    seconds["silver_warm"] = time.perf_counter() - mark
    spark.stop()
    return seconds


if __name__ == "__main__":
    print(json.dumps(main(*sys.argv[1:5])))
