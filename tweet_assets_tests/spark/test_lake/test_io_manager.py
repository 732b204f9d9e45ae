"""The lake IO manager, through throwaway assets materialized into a temporary lake."""

import errno
from datetime import date
from pathlib import Path

import dagster as dg
import pytest
from pyspark.sql import DataFrame, SparkSession

from tweet_assets.lake import LakeIOManager, RawPages, Table, days_in, local_folder
from tweet_assets.lake import commit as lake_commit
from tweet_assets.lake.writes import write_in_place
from tweet_assets.partitions import daily_partitions
from tweet_assets.spark import spark_resource
from tweet_assets_tests.support.pipeline import read_table

ROWS = "date date, id string"


def materialize_rows(lake: Path, rows: list[tuple[date, str]], first: str, last: str):
    """Materialize `silver_things` over [first, last] in one run, its rows being `rows`."""

    @dg.asset(partitions_def=daily_partitions, backfill_policy=dg.BackfillPolicy.single_run())
    def silver_things() -> DataFrame:
        return SparkSession.getActiveSession().createDataFrame(rows, ROWS)

    return dg.materialize(
        [silver_things],
        tags={
            "dagster/asset_partition_range_start": first,
            "dagster/asset_partition_range_end": last,
        },
        resources={"io_manager": LakeIOManager(root=str(lake), pyspark=spark_resource("local[2]"))},
        raise_on_error=False,
    )


@pytest.mark.usefixtures("spark")
def test_rows_are_counted_per_day_while_written_and_an_empty_day_is_written_empty(
    tmp_path: Path,
) -> None:
    rows = [(date(2026, 11, 20), "a"), (date(2026, 11, 20), "b"), (date(2026, 11, 22), "c")]

    result = materialize_rows(tmp_path, rows, "2026-11-20", "2026-11-22")

    assert result.success
    metadata = result.asset_materializations_for_node("silver_things")[0].metadata
    assert metadata["rows_by_day"].value == {"2026-11-20": 2, "2026-11-21": 0, "2026-11-22": 1}
    assert metadata["dagster/row_count"].value == 3
    assert (tmp_path / "silver/things/date=2026-11-21").is_dir()
    assert sorted(read_table(tmp_path, "silver/things")["id"]) == ["a", "b", "c"]


@pytest.mark.usefixtures("spark")
def test_a_row_outside_the_run_fails_the_write_and_the_lake_keeps_every_day(
    tmp_path: Path,
) -> None:
    materialize_rows(
        tmp_path,
        [(date(2026, 11, 19), "old"), (date(2026, 11, 20), "kept")],
        "2026-11-19",
        "2026-11-20",
    )
    before = {p: p.read_bytes() for p in sorted(tmp_path.rglob("*")) if p.is_file()}

    result = materialize_rows(
        tmp_path,
        [(date(2026, 11, 20), "new"), (date(2026, 11, 19), "stray")],
        "2026-11-20",
        "2026-11-20",
    )

    assert not result.success
    [failure] = [e for e in result.all_events if e.event_type_value == "STEP_FAILURE"]
    message = failure.event_specific_data.error.to_string()
    assert "a row is dated 2026-11-19, outside the partitions of this run" in message
    assert "(2026-11-20 to 2026-11-20)" in message
    after = {p: p.read_bytes() for p in sorted(tmp_path.rglob("*")) if p.is_file()}
    assert after == before


def test_a_root_is_a_local_folder_or_another_file_systems_uri(tmp_path: Path) -> None:
    key = dg.AssetKey("silver_tweets")

    assert local_folder(tmp_path.as_uri()) == tmp_path == local_folder(str(tmp_path))
    assert local_folder("hdfs://namenode:8020/lake") is None
    assert Table.of(tmp_path.as_uri(), key).path == f"{tmp_path}/silver/tweets"
    assert Table.of("s3a://bucket/lake/", key).path == "s3a://bucket/lake/silver/tweets"
    assert Table.of("s3a://bucket/lake", "bronze_tweets").day_path(date(2026, 11, 20)) == (
        "s3a://bucket/lake/bronze/tweets/date=2026-11-20"
    )
    with pytest.raises(ValueError, match="asset tweets has no lake table: name lake assets"):
        Table.of(str(tmp_path), "tweets")


def test_spark_commits_in_place_replacing_only_the_runs_days(
    spark: SparkSession, tmp_path: Path
) -> None:
    """The commit for object stores and Spark Connect: dynamic partition overwrite."""
    table = str(tmp_path / "silver" / "things")
    days = [date(2026, 11, 20), date(2026, 11, 21)]
    rows = [(days[0], "a"), (days[1], "b")]
    assert write_in_place(spark, spark.createDataFrame(rows, ROWS), table, days) == {
        days[0]: 1,
        days[1]: 1,
    }
    first_day = {p: p.read_bytes() for p in (tmp_path / "silver/things/date=2026-11-20").iterdir()}

    rewrite = spark.createDataFrame([], ROWS)
    assert write_in_place(spark, rewrite, table, days[1:]) == {days[1]: 0}

    assert {p: p.read_bytes() for p in (tmp_path / "silver/things/date=2026-11-20").iterdir()} == (
        first_day
    )
    assert read_table(tmp_path, "silver/things")["id"].tolist() == ["a"]
    assert days_in(spark, Table(str(tmp_path), "silver", "things")) == set(days)
    assert days_in(spark, Table(str(tmp_path), "silver", "nothing")) == set()


def test_spark_commits_raw_pages_in_place_one_file_a_day_in_order(
    spark: SparkSession, tmp_path: Path
) -> None:
    pages = RawPages()
    for day, body in [(date(2026, 11, 20), "p1"), (date(2026, 11, 21), "q1")] + [
        (date(2026, 11, 20), f"p{n}") for n in range(2, 2000)
    ]:
        pages.add(day, body)
    table = str(tmp_path / "bronze" / "tweets")

    written = write_in_place(spark, pages, table, [date(2026, 11, 20), date(2026, 11, 21)])

    assert written == {date(2026, 11, 20): 1999, date(2026, 11, 21): 1}
    [first] = (tmp_path / "bronze/tweets/date=2026-11-20").glob("*.txt")
    assert first.read_text().split() == [f"p{n}" for n in range(1, 2000)]
    pages.discard()


@pytest.mark.usefixtures("spark")
def test_a_range_commit_stopped_half_way_says_which_days_are_new_and_which_old(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first, second = date(2026, 11, 19), date(2026, 11, 20)
    materialize_rows(tmp_path, [(first, "old"), (second, "old")], "2026-11-19", "2026-11-20")
    swap_in, calls = lake_commit._swap_in, []

    def full_at_the_second_day(new: Path, final: Path, replaced: Path) -> None:
        calls.append(final.name)
        if len(calls) == 2:
            raise OSError(errno.ENOSPC, "No space left on device", str(final))
        swap_in(new, final, replaced)

    monkeypatch.setattr(lake_commit, "_swap_in", full_at_the_second_day)

    result = materialize_rows(
        tmp_path, [(first, "new"), (second, "new")], "2026-11-19", "2026-11-20"
    )

    [failure] = [event for event in result.all_events if event.is_step_failure]
    error, message = failure.step_failure_data.error, ""
    while error is not None:  # Dagster's error, then the IO manager's beneath it
        message, error = message + error.message, error.cause
    assert "No space left on device" in message
    assert "2026-11-19 now hold the new rows; 2026-11-20 keep what they had" in message
    rows = read_table(tmp_path, "silver/things")
    assert sorted(zip(rows["date"], rows["id"], strict=True)) == [
        ("2026-11-19", "new"),
        ("2026-11-20", "old"),
    ]
