"""Fetch records: committed with their day's pages in bronze's Delta table, read back a day
each."""

from datetime import date
from pathlib import Path

from pyspark.sql import SparkSession

from tweet_assets.lake import FetchRecord, RawPages, Table, read_days, read_fetch_records
from tweet_assets.lake.fetch_records import FETCH_FIELDS
from tweet_assets.lake.writes import create_delta_table, pages_frame, write_delta_days

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


def test_records_are_committed_with_their_pages_one_a_day_even_a_day_without_a_page(
    spark: SparkSession, tmp_path: Path
) -> None:
    table = Table(str(tmp_path), "bronze", "tweets")
    # Monday has two pages, Tuesday a record and no page, Wednesday nothing.
    pages = RawPages()
    pages.add(MON, '{"data":[{"id":"1"}]}')
    pages.add(MON, '{"data":[{"id":"2"}]}')
    pages.records = {MON: record(MON).counted(121), TUE: record(TUE, truncated=True)}
    frame = pages_frame(spark, pages, pages.folder)
    create_delta_table(frame, table.path, {})
    write_delta_days(frame, table.path, [MON, TUE, WED], {})
    pages.discard()

    records = read_fetch_records(spark, table, [MON, TUE, WED])

    by_day = {row["date"]: row for row in records.collect()}
    assert sorted(by_day) == [MON, TUE]
    assert by_day[MON]["expected_tweets"] == 121 and not by_day[MON]["truncated"]
    assert by_day[MON]["complete"] is False  # 118 of 121 is under 99%
    assert by_day[TUE]["truncated"] and by_day[TUE]["expected_tweets"] is None
    assert str(by_day[TUE]["fetched_at"]) == "2026-11-17 23:59:58.125000"
    assert records.columns == ["date", *FETCH_FIELDS]
    # the pages read back without the day that had none
    read = read_days(spark, table, [MON, TUE, WED]).orderBy("value").collect()
    assert [(row["value"], row["date"]) for row in read] == [
        ('{"data":[{"id":"1"}]}', MON),
        ('{"data":[{"id":"2"}]}', MON),
    ]


def test_no_record_in_the_run_reads_as_no_rows(spark: SparkSession, tmp_path: Path) -> None:
    table = Table(str(tmp_path), "bronze", "tweets")

    assert read_fetch_records(spark, table, [MON]).collect() == []
