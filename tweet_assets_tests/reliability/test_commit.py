"""lake/commit.py on plain folders: whole-day swaps; recovery never touches a live writer."""

from pathlib import Path

import pytest

from tweet_assets.lake import commit as lake_commit
from tweet_assets.lake.commit import recover, staged


def day_folder(path: Path, **files: str) -> Path:
    path.mkdir(parents=True)
    for name, text in files.items():
        (path / name).write_text(text)
    return path


def contents(folder: Path) -> dict[str, str]:
    return {path.name: path.read_text() for path in sorted(folder.iterdir())}


@pytest.mark.parametrize("exchange", [True, False], ids=["renameat2-exchange", "two-renames"])
def test_commit_replaces_each_day_whole_and_no_other(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, exchange: bool
) -> None:
    if not exchange:
        monkeypatch.setattr(lake_commit, "EXCHANGE", None)
    table = tmp_path / "silver" / "tweets"
    day_folder(table / "date=2026-11-19", **{"part-0.parquet": "kept"})
    day_folder(table / "date=2026-11-20", **{"part-0.parquet": "old", "part-1.parquet": "old"})

    with staged(tmp_path, "silver_tweets", table, "run-1") as stage:
        day_folder(stage.table / "date=2026-11-20", **{"part-9.parquet": "new"})
        day_folder(stage.table / "date=2026-11-21", **{"part-9.parquet": "first"})
        stage.commit(["2026-11-20", "2026-11-21"])

    assert contents(table / "date=2026-11-19") == {"part-0.parquet": "kept"}
    assert contents(table / "date=2026-11-20") == {"part-9.parquet": "new"}
    assert contents(table / "date=2026-11-21") == {"part-9.parquet": "first"}
    assert list((tmp_path / "_staging" / "silver_tweets").iterdir()) == []


def test_recovery_leaves_a_live_writers_stage_alone(tmp_path: Path) -> None:
    table = tmp_path / "gold" / "daily_counts"
    day_folder(table / "date=2026-11-20", **{"part-0.parquet": "old"})

    with staged(tmp_path, "gold_daily_counts", table, "run-1") as stage:
        day_folder(stage.table / "date=2026-11-20", **{"part-9.parquet": "new"})
        # what a dead writer leaves half way through the two renames, but this one is alive
        stage.path.joinpath("replaced").mkdir()
        (table / "date=2026-11-20").rename(stage.path / "replaced" / "date=2026-11-20")

        assert recover(tmp_path, "gold_daily_counts", table) == []
        assert contents(stage.table / "date=2026-11-20") == {"part-9.parquet": "new"}
        assert not (table / "date=2026-11-20").exists()
