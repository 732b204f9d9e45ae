"""Which materialization each day's verdict is about, looked up for a whole run at once."""

import dagster as dg
import pytest

from tweet_assets.assets import verdicts
from tweet_assets.partitions import daily_partitions


@dg.asset(partitions_def=daily_partitions)
def silver_things() -> None:
    return None


@pytest.mark.parametrize("page", [1, verdicts.PAGE])
def test_each_day_gets_its_latest_materialization_however_many_pages_it_takes(
    monkeypatch: pytest.MonkeyPatch, page: int
) -> None:
    monkeypatch.setattr(verdicts, "PAGE", page)
    with dg.DagsterInstance.ephemeral() as instance:
        runs = {}
        # the 17th once, then the 18th three times: its older runs stand between the 17th and
        # the newest records
        for day in ["2026-11-17", "2026-11-18", "2026-11-18", "2026-11-18"]:
            result = dg.materialize([silver_things], instance=instance, partition_key=day)
            runs[day] = result.run_id

        targets = verdicts.latest_materializations(
            instance, dg.AssetKey("silver_things"), ["2026-11-17", "2026-11-18", "2026-11-19"]
        )

    assert {day: target.run_id for day, target in targets.items()} == runs
