"""Fetch records read back alike whether this process committed them or Spark did."""

from datetime import date
from pathlib import Path

from pyspark.sql import SparkSession

from tweet_assets.lake import FetchRecord, Table, read_fetch_records
from tweet_assets.lake.fetch_records import (
    FETCH_FIELDS,
    FETCH_FILE,
    write_record_file,
    write_records_with_spark,
)

MON, TUE, WED, THU = (date(2026, 11, day) for day in (16, 17, 18, 19))


def record(day: date, **changes: object) -> FetchRecord:
    fields: dict = {
        "day": day.isoformat(),
        "source": "api",
        "endpoint": "recent",
        "query": "from:AluraOnline",
        "account": "AluraOnline",
        "account_id": "4242",
        "posts": 120,
        "distinct_posts": 118,
        "pages": 2,
        "requests": 3,
        "reached_last_page": True,
        "truncated": False,
        "api_errors": 1,
        "dropping_errors": 0,
        "expected_tweets": None,
        "fetched_at": f"{day.isoformat()}T23:59:58.125Z",
        **changes,
    }
    return FetchRecord(**fields)


def test_records_of_either_commit_read_back_and_a_broken_one_reads_as_nulls(
    spark: SparkSession, tmp_path: Path
) -> None:
    table = Table(str(tmp_path), "bronze", "tweets")
    # Monday committed locally, Tuesday by Spark (part files, _SUCCESS, .crc), Wednesday's line
    # is not a record, Thursday has none.
    Path(table.day_path(MON)).mkdir(parents=True)
    write_record_file(Path(table.day_path(MON)), record(MON).counted(121))
    write_records_with_spark(spark, table, {TUE: record(TUE, truncated=True)})
    broken = Path(table.day_path(WED)) / FETCH_FILE
    broken.parent.mkdir(parents=True)
    broken.write_text('{"day": "2026-11-18", "posts": "many", "truncated": 1}\n')
    days = [MON, TUE, WED, THU]

    records = read_fetch_records(spark, table, days)

    by_day = {row["date"]: row for row in records.collect()}
    assert sorted(by_day) == [MON, TUE, WED]
    assert by_day[MON]["expected_tweets"] == 121 and not by_day[MON]["truncated"]
    assert by_day[MON]["complete"] is False  # 118 of 121 is under 99%
    assert by_day[TUE]["truncated"] and by_day[TUE]["expected_tweets"] is None
    assert str(by_day[TUE]["fetched_at"]) == "2026-11-17 23:59:58.125000"
    # a value of the wrong type reads as null
    assert (by_day[WED]["posts"], by_day[WED]["truncated"]) == (None, None)
    # as does a field a record from before it existed lacks
    assert (by_day[MON]["account_id"], by_day[WED]["account_id"]) == ("4242", None)
    assert records.columns == ["date", *FETCH_FIELDS]


def test_no_record_in_the_run_reads_as_no_rows(spark: SparkSession, tmp_path: Path) -> None:
    table = Table(str(tmp_path), "bronze", "tweets")

    assert read_fetch_records(spark, table, [MON]).collect() == []
