"""Each bronze day's fetch record: what fetching the day did, and what the API counted for it.

The record is one JSON line in `_fetch/record.json` inside the day's folder of the raw table, so
it travels with the day: the local commit swaps it in with the pages in one exchange, and a
reader of the pages never sees it (Spark skips folders whose name starts with `_`). Spark reads
the records with `read_fetch_records`; pandas reads one with
`pd.read_json(".../date=YYYY-MM-DD/_fetch/record.json", lines=True)`. Where Spark commits the
day (a URI root, Spark Connect), Spark writes `_fetch/` just after the day, as a one-line text
part file; `read_fetch_records` reads either.
"""

import json
import os
from datetime import date
from pathlib import Path
from typing import Any

from pyspark.errors import AnalysisException
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql.types import BooleanType, LongType, StringType, StructField, StructType

from tweet_assets.lake.layout import Table
from tweet_assets.transforms.frames import literal_frame

FETCH_FOLDER = "_fetch"
FETCH_FILE = f"{FETCH_FOLDER}/record.json"
# What a record holds; `bronze_tweets` documents each field.
FETCH_SCHEMA = StructType(
    [
        StructField("day", StringType()),
        StructField("source", StringType()),
        StructField("endpoint", StringType()),
        StructField("query", StringType()),
        # The tracked account (TWEETS_ACCOUNT) and its id; null when no account is tracked.
        StructField("account", StringType()),
        StructField("account_id", StringType()),
        StructField("posts", LongType()),
        StructField("distinct_posts", LongType()),
        StructField("pages", LongType()),
        StructField("requests", LongType()),
        StructField("reached_last_page", BooleanType()),
        StructField("truncated", BooleanType()),
        StructField("api_errors", LongType()),
        StructField("dropping_errors", LongType()),
        StructField("expected_tweets", LongType()),
        StructField("fetched_at", StringType()),
    ]
)
FETCH_FIELDS = [field.name for field in FETCH_SCHEMA]
LINE = StructType([StructField("value", StringType())])


def record_line(record: dict[str, Any]) -> str:
    """The record as one compact JSON line; refuses a record that does not fit FETCH_SCHEMA."""
    if sorted(record) != sorted(FETCH_FIELDS):
        raise ValueError(f"a fetch record has fields {sorted(FETCH_FIELDS)}, not {sorted(record)}")
    return json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n"


def write_record_file(day_folder: Path, record: dict[str, Any]) -> None:
    """Write the record into a (staged) day folder, on disk before the day is committed."""
    path = day_folder / FETCH_FILE
    path.parent.mkdir()
    with path.open("w", encoding="utf-8") as out:
        out.write(record_line(record))
        out.flush()
        os.fsync(out.fileno())


def write_records_with_spark(
    spark: SparkSession, table: Table, records: dict[date, dict[str, Any]]
) -> None:
    """Write each day's record next to its committed pages through Spark (any root)."""
    for day, record in sorted(records.items()):
        line = literal_frame(spark, [(record_line(record).rstrip("\n"),)], LINE)
        line.coalesce(1).write.mode("overwrite").text(f"{table.day_path(day)}/{FETCH_FOLDER}")


def read_fetch_records(spark: SparkSession, table: Table, days: list[date]) -> DataFrame:
    """The records of `days` that exist: `date`, then FETCH_FIELDS (`fetched_at` a timestamp)."""
    days_glob = ",".join(day.isoformat() for day in days)
    try:
        records = spark.read.schema(FETCH_SCHEMA).json(
            f"{table.path}/date={{{days_glob}}}/{FETCH_FOLDER}"
        )
        records.columns  # noqa: B018 (resolves the glob now: no match raises here)
    except AnalysisException as error:
        if error.getCondition() != "PATH_NOT_FOUND":
            raise
        records = literal_frame(spark, [], FETCH_SCHEMA)
    return records.select(
        F.to_date("day").alias("date"),
        *[
            F.col(name).try_cast("timestamp").alias(name) if name == "fetched_at" else name
            for name in FETCH_FIELDS
        ],
    ).where(F.col("date").isin(days))
