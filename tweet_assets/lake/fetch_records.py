"""Each bronze day's fetch record: what fetching the day did, and what the API counted for it.

The record is one JSON line in `_fetch/record.json` inside the day's folder of the raw table, so
it travels with the day: the local commit swaps it in with the pages in one exchange, and a
reader of the pages never sees it (Spark skips folders whose name starts with `_`). Spark reads
the records with `read_fetch_records`; pandas reads one with
`pd.read_json(".../date=YYYY-MM-DD/_fetch/record.json", lines=True)`. Where Spark commits the
day (a URI root, Spark Connect), Spark writes `_fetch/` just after the day, as a one-line text
part file; `read_fetch_records` reads either.
"""

import dataclasses
import json
import os
import types
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Self, get_type_hints

from pyspark.errors import AnalysisException
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql.types import (
    BooleanType,
    DataType,
    LongType,
    StringType,
    StructField,
    StructType,
)

from tweet_assets.lake.layout import Table
from tweet_assets.transforms.frames import literal_frame

FETCH_FOLDER = "_fetch"
FETCH_FILE = f"{FETCH_FOLDER}/record.json"
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
LINE = StructType([StructField("value", StringType())])


def record_line(record: FetchRecord) -> str:
    """The record as one compact JSON line."""
    return json.dumps(dataclasses.asdict(record), ensure_ascii=False, separators=(",", ":")) + "\n"


def write_record_file(day_folder: Path, record: FetchRecord) -> None:
    """Write the record into a (staged) day folder, on disk before the day is committed."""
    path = day_folder / FETCH_FILE
    path.parent.mkdir()
    with path.open("w", encoding="utf-8") as out:
        out.write(record_line(record))
        out.flush()
        os.fsync(out.fileno())


def write_records_with_spark(
    spark: SparkSession, table: Table, records: dict[date, FetchRecord]
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
