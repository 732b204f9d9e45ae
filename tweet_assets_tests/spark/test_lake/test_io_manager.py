"""The lake IO manager, through throwaway assets materialized into a temporary lake."""

import json
from datetime import date
from pathlib import Path
from typing import Any

import dagster as dg
import pytest
from deltalake import DeltaTable
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from tweet_assets.lake import (
    LakeIOManager,
    RawPages,
    Table,
    days_in,
    delta_rs,
    io_manager,
    local_folder,
)
from tweet_assets.lake.reader import read_days
from tweet_assets.lake.writes import (
    STAGING,
    create_delta_table,
    pages_frame,
    write_delta_days,
    write_local_days,
)
from tweet_assets.partitions import daily_partitions
from tweet_assets.spark import spark_resource
from tweet_assets_tests.support.pipeline import bronze_pages, read_table

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
def test_rows_are_counted_per_day_while_written_and_an_emptied_day_reads_empty(
    tmp_path: Path,
) -> None:
    twentieth, twenty_first, twenty_second = (date(2026, 11, d) for d in (20, 21, 22))
    materialize_rows(tmp_path, [(twenty_first, "gone")], "2026-11-21", "2026-11-21")
    rows = [(twentieth, "a"), (twentieth, "b"), (twenty_second, "c")]

    result = materialize_rows(tmp_path, rows, "2026-11-20", "2026-11-22")

    assert result.success
    metadata = result.asset_materializations_for_node("silver_things")[0].metadata
    assert metadata["rows_by_day"].value == {"2026-11-20": 2, "2026-11-21": 0, "2026-11-22": 1}
    assert metadata["dagster/row_count"].value == 3
    # version 0 made the table, 1 wrote the 21st, 2 replaced the three days in one commit
    assert metadata["table_version"].value == 2
    assert sorted(read_table(tmp_path, "silver/things")["id"]) == ["a", "b", "c"]
    assert read_table(tmp_path, "silver/things", version=1)["id"].tolist() == ["gone"]


@pytest.mark.usefixtures("spark")
def test_a_row_outside_the_run_fails_the_write_and_the_table_keeps_every_day(
    tmp_path: Path,
) -> None:
    materialize_rows(
        tmp_path,
        [(date(2026, 11, 19), "old"), (date(2026, 11, 20), "kept")],
        "2026-11-19",
        "2026-11-20",
    )
    log = tmp_path / "silver/things/_delta_log"
    before = {p.name: p.read_bytes() for p in sorted(log.iterdir()) if p.is_file()}

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
    # no commit: the log is as it was, and so is every row read through it
    assert {p.name: p.read_bytes() for p in sorted(log.iterdir()) if p.is_file()} == before
    rows = read_table(tmp_path, "silver/things")
    assert sorted(zip(rows["date"], rows["id"], strict=True)) == [
        ("2026-11-19", "old"),
        ("2026-11-20", "kept"),
    ]


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


def test_a_delta_write_replaces_only_the_runs_days_in_one_commit_naming_the_run(
    spark: SparkSession, tmp_path: Path
) -> None:
    """The commit of silver and gold on every root: `replaceWhere` over the run's days."""
    table = Table(str(tmp_path), "silver", "things")
    days = [date(2026, 11, 20), date(2026, 11, 21)]
    rows = spark.createDataFrame([(days[0], "a"), (days[1], "b")], ROWS)
    create_delta_table(rows, table.path, {"dagster_run_id": "r1"})
    assert write_delta_days(rows, table.path, days, {"dagster_run_id": "r1"}) == {
        days[0]: 1,
        days[1]: 1,
    }
    first_day = sorted(p.name for p in (tmp_path / "silver/things/date=2026-11-20").iterdir())

    rewrite = spark.createDataFrame([], ROWS)
    assert write_delta_days(rewrite, table.path, days[1:], {"dagster_run_id": "r2"}) == {days[1]: 0}

    assert sorted(p.name for p in (tmp_path / "silver/things/date=2026-11-20").iterdir()) == (
        first_day
    )
    assert read_table(tmp_path, "silver/things")["id"].tolist() == ["a"]
    history = DeltaTable(table.path).history()
    runs = [json.loads(h.get("userMetadata", "{}")).get("dagster_run_id") for h in history]
    assert list(zip([h["version"] for h in history], runs, strict=True)) == [
        (2, "r2"),
        (1, "r1"),
        (0, "r1"),
    ]
    assert days_in(spark, table) == {days[0]}
    assert days_in(spark, Table(str(tmp_path), "silver", "nothing")) == set()


def test_a_local_write_commits_sparks_files_with_delta_rs_merging_and_guarding_the_schema(
    spark: SparkSession, tmp_path: Path
) -> None:
    """The commit of every table in a local lake: Spark writes the files, delta-rs commits."""
    table = Table(str(tmp_path), "silver", "things")
    days = [date(2026, 11, 20), date(2026, 11, 21)]
    rows = spark.createDataFrame([(days[0], "a"), (days[1], "b")], ROWS)
    delta_rs.create(table, rows.schema.jsonValue(), '{"dagster_run_id": "r1"}')
    stages = tmp_path / "silver/things" / STAGING
    dead = stages / "dead"  # a writer killed mid-write: its lock is free
    (dead / "date=2026-11-21").mkdir(parents=True)
    (dead / "date=2026-11-21/part-0.parquet").write_bytes(b"half")
    (stages / "dead.lock").touch()

    assert write_local_days(rows, table, days, {"dagster_run_id": "r1"})[0] == {
        days[0]: 1,
        days[1]: 1,
    }
    assert not list(stages.iterdir()), "the dead writer's stage and the run's own"
    first_day = {
        p.name: p.read_bytes() for p in (tmp_path / "silver/things/date=2026-11-20").iterdir()
    }

    # a column the run adds joins the table; the days outside the run keep their files
    added = spark.createDataFrame([(days[1], "c", "en")], f"{ROWS}, lang string")
    counted, written = write_local_days(added, table, days[1:], {"dagster_run_id": "r2"})
    assert counted == {days[1]: 1}
    [[file], _, _] = delta_rs.files_of(table, days[1:])
    assert written == Path(file).stat().st_size
    assert {
        p.name: p.read_bytes() for p in (tmp_path / "silver/things/date=2026-11-20").iterdir()
    } == first_day
    expected = [("2026-11-20", "a", None), ("2026-11-21", "c", "en")]
    frame = read_table(tmp_path, "silver/things")
    assert list(zip(frame["date"], frame["id"], frame["lang"], strict=True)) == expected
    for read in (
        spark.read.format("delta").load(table.path),  # Spark's Delta reader agrees
        read_days(spark, table, days, local=True),
    ):
        got = sorted((str(r["date"]), r["id"], r["lang"]) for r in read.collect())
        assert got == expected
    assert read_days(spark, table, days, local=True).columns == ["date", "id", "lang"]
    # a root reached through a symbolic link reads the same (delta-rs names the real files)
    (tmp_path / "linked").symlink_to(tmp_path, target_is_directory=True)
    linked = Table(str(tmp_path / "linked"), "silver", "things")
    assert read_days(spark, linked, days, local=True).count() == 2

    # a column changing type is refused before anything is written
    log = sorted(p.name for p in (tmp_path / "silver/things/_delta_log").iterdir())
    retyped = spark.createDataFrame([(days[0], 7)], "date date, id bigint")
    with pytest.raises(delta_rs.SchemaMismatch, match="silver_things: the run's column 'id' is"):
        write_local_days(retyped, table, days[:1], {"dagster_run_id": "r3"})
    assert sorted(p.name for p in (tmp_path / "silver/things/_delta_log").iterdir()) == log

    history = DeltaTable(table.path).history()
    runs = [json.loads(h.get("userMetadata", "{}")).get("dagster_run_id") for h in history]
    assert runs == ["r2", "r1", "r1"]


@pytest.mark.parametrize("spooled", [True, False], ids=["spool", "arrow-chunks"])
def test_pages_reach_bronze_one_file_a_day_byte_for_byte_in_order(
    spark: SparkSession, tmp_path: Path, spooled: bool
) -> None:
    pages = RawPages()
    for day, body in [(date(2026, 11, 20), "p1"), (date(2026, 11, 21), "q1")] + [
        (date(2026, 11, 20), f"p{n}") for n in range(2, 2000)
    ]:
        pages.add(day, body)
    table = str(tmp_path / "bronze" / "tweets")
    frame = pages_frame(spark, pages, pages.folder if spooled else None)
    days = [date(2026, 11, 20), date(2026, 11, 21)]

    create_delta_table(frame, table, {})
    written = write_delta_days(frame, table, days, {})

    pages.discard()
    assert written == {date(2026, 11, 20): 1999, date(2026, 11, 21): 1}
    assert bronze_pages(tmp_path, "2026-11-20") == [f"p{n}" for n in range(1, 2000)]
    assert len(list((tmp_path / "bronze/tweets/date=2026-11-20").glob("*.parquet"))) == 1


@pytest.mark.usefixtures("spark")
def test_a_range_write_of_pages_that_fails_half_way_leaves_every_day_old(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first, second = date(2026, 11, 19), date(2026, 11, 20)
    materialize_pages(tmp_path, {first: "old", second: "old"})
    write = io_manager.write_local_days

    def full_at_the_second_day(df: DataFrame, *args: Any) -> Any:
        """The disk fills as the second day's rows are written, the first day's files out."""
        full = F.raise_error(F.lit(f"No space left on device ({tmp_path})"))
        return write(
            df.withColumn("date", F.when(F.col("date") == second, full).otherwise(F.col("date"))),
            *args,
        )

    monkeypatch.setattr(io_manager, "write_local_days", full_at_the_second_day)

    result = materialize_pages(tmp_path, {first: "new", second: "new"})

    [failure] = [event for event in result.all_events if event.is_step_failure]
    error, message = failure.step_failure_data.error, ""
    while error is not None:  # Dagster's error, then the IO manager's beneath it
        message, error = message + error.message, error.cause
    assert "No space left on device" in message
    assert "No day was left half-written: the lake keeps what it had" in message
    assert [bronze_pages(tmp_path, str(day), "things") for day in (first, second)] == [
        ["old"],
        ["old"],
    ]
    assert not list((tmp_path / "bronze/things" / STAGING).iterdir()), "the failed write's stage"


def materialize_pages(lake: Path, pages_by_day: dict[date, str]):
    """Materialize `bronze_things` over the days of `pages_by_day`, one page each."""
    days = sorted(pages_by_day)

    @dg.asset(partitions_def=daily_partitions, backfill_policy=dg.BackfillPolicy.single_run())
    def bronze_things() -> RawPages:
        pages = RawPages()
        for day in days:
            pages.add(day, pages_by_day[day])
        return pages

    return dg.materialize(
        [bronze_things],
        tags={
            "dagster/asset_partition_range_start": str(days[0]),
            "dagster/asset_partition_range_end": str(days[-1]),
        },
        resources={"io_manager": LakeIOManager(root=str(lake), pyspark=spark_resource("local[2]"))},
        raise_on_error=False,
    )
