"""Each bronze day's fetch record: what fetching the day did, and what the API counted for it.

The record is the `fetch` column (a struct of FETCH_FIELDS) of each of the day's rows in
bronze's Delta table, so it is committed with the pages in the same version of the log and
replaced with them; a day fetched without a page has one row with no page. Spark reads the
records with `read_fetch_records`; pandas with delta-rs:
`DeltaTable(".../bronze/tweets").to_pandas(columns=["date", "fetch"]).drop_duplicates("date")`.
"""

import dataclasses
import types
from dataclasses import dataclass
from datetime import date
from typing import Self, get_type_hints

import pyarrow.compute as pc
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql.types import (
    BooleanType,
    DataType,
    DateType,
    LongType,
    StringType,
    StructField,
    StructType,
)

from tweet_assets.lake import delta_rs
from tweet_assets.lake.layout import Table
from tweet_assets.lake.reader import local_rows, open_table
from tweet_assets.transforms.frames import literal_frame

# A day is complete when its distinct posts reach this share of the API's own count.
COMPLETE_SHARE = 0.99


@dataclass(frozen=True)
class FetchRecord:
    """What fetching one UTC day did, as bronze stores it beside the day's pages."""

    day: str
    source: str
    endpoint: str
    query: str
    # The tracked account (TWEETS_ACCOUNT) and its id; null when no account is tracked.
    account: str | None
    account_id: str | None
    # Posts in the pages, and distinct post ids among them.
    posts: int
    distinct_posts: int
    pages: int
    requests: int
    reached_last_page: bool
    # Paging stopped by the cost cap with pages left (recent search is newest first, so a
    # truncated day holds only its last hours).
    truncated: bool
    # Partial errors beside the data, and those that dropped posts.
    api_errors: int
    dropping_errors: int
    # The API's own count of the day's posts; None when the source cannot count.
    expected_tweets: int | None
    # When the day's last page arrived (UTC, ISO 8601).
    fetched_at: str
    # The day's verdict (`counted`), which gold and bronze_tweets_complete both read.
    complete: bool = False

    def counted(self, expected: int | None, known: bool = True) -> Self:
        """This record with the API's count, and so its verdict: complete when paging reached
        the last page, no cap cut it, no partial error dropped posts, and the distinct posts
        fetched reach COMPLETE_SHARE of `expected` (when the source can count). With `known`
        false, counting failed: not complete, whatever the rest."""
        complete = (
            known
            and self.reached_last_page
            and not self.truncated
            and not self.dropping_errors
            and (expected is None or self.distinct_posts >= COMPLETE_SHARE * expected)
        )
        return dataclasses.replace(self, expected_tweets=expected, complete=complete)


_SPARK_TYPES: dict[type, DataType] = {str: StringType(), int: LongType(), bool: BooleanType()}


def _spark_type(annotation: object) -> DataType:
    """The Spark type of a FetchRecord field (`X | None` is a nullable X)."""
    if isinstance(annotation, types.UnionType):
        [annotation] = [arm for arm in annotation.__args__ if arm is not type(None)]
    assert isinstance(annotation, type)
    return _SPARK_TYPES[annotation]


FETCH_SCHEMA = StructType(
    [
        StructField(name, _spark_type(annotation))
        for name, annotation in get_type_hints(FetchRecord).items()
    ]
)
FETCH_FIELDS = [field.name for field in FETCH_SCHEMA]
FETCH_COLUMN = "fetch"


def records_frame(spark: SparkSession, records: dict[date, FetchRecord]) -> DataFrame:
    """The records as rows of `date` and the `fetch` struct."""
    rows = [dataclasses.astuple(record) for _, record in sorted(records.items())]
    flat = literal_frame(spark, rows, FETCH_SCHEMA)
    return flat.select(F.to_date("day").alias("date"), F.struct(*FETCH_FIELDS).alias(FETCH_COLUMN))


def read_fetch_records(
    spark: SparkSession, table: Table, days: list[date], local: bool = False
) -> DataFrame:
    """The records of `days` that exist: `date`, then FETCH_FIELDS (`fetched_at` a timestamp).
    `local`: the table is in a folder Spark's driver shares with this process."""
    rows = local_rows(spark, table, days) if local else open_table(spark, table)
    if rows is None:  # a table never written
        fields = [StructField("date", DateType()), StructField(FETCH_COLUMN, FETCH_SCHEMA)]
        records = literal_frame(spark, [], StructType(fields))
    else:
        # each day's first row (a day with no page has one row, with no place)
        records = rows.where(F.coalesce(F.col("seq"), F.lit(0)) == 0)
    return records.select(
        "date",
        *[
            F.col(f"{FETCH_COLUMN}.{name}").try_cast("timestamp").alias(name)
            if name == "fetched_at"
            else F.col(f"{FETCH_COLUMN}.{name}").alias(name)
            for name in FETCH_FIELDS
        ],
    ).where(F.col("date").isin(days))


def days_fetched_from(
    spark: SparkSession, table: Table, days: list[date], source: str, local: bool
) -> list[date]:
    """The days of `days` bronze holds as fetched from `source` (`api` or `demo`), in order:
    read by delta-rs in a local lake this process commits into, else by Spark."""
    if local:
        rows = delta_rs.read_columns(table, ["date", FETCH_COLUMN], days)
        if not rows.num_rows:
            return []
        sources = pc.struct_field(rows[FETCH_COLUMN], "source")
        return sorted(set(rows.filter(pc.equal(sources, source))["date"].to_pylist()))
    records = read_fetch_records(spark, table, days).where(F.col("source") == source)
    return sorted(row["date"] for row in records.select("date").collect())
