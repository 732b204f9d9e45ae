"""The lake IO manager, through throwaway assets materialized into a temporary lake."""

from datetime import date
from pathlib import Path

import dagster as dg
import pytest
from pyspark.sql import DataFrame, SparkSession

from tweet_assets.partitions import daily_partitions
from tweet_assets.resources.lake_io_manager import LakeIOManager
from tweet_assets.resources.spark import spark_resource
from tweet_assets_tests.pipeline import read_table

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
