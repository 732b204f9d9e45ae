"""lake/commit.py on plain folders: whole-day swaps; recovery never touches a live writer."""

import os
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


class Interrupted(BaseException):
    """What a run's termination raises in its step, between any two lines."""


def test_a_writer_stopped_between_the_two_renames_rolls_the_day_forward_first(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(lake_commit, "EXCHANGE", None)  # a file system that cannot exchange
    table = tmp_path / "silver" / "tweets"
    day_folder(table / "date=2026-11-19", **{"part-0.parquet": "old 19"})
    day_folder(table / "date=2026-11-20", **{"part-0.parquet": "old 20"})
    day_folder(table / "date=2026-11-21", **{"part-0.parquet": "old 21"})
    rename, faults = Path.rename, [Interrupted()]

    def stopped_after_the_old_day_moved_aside(self: Path, target: Path) -> Path:
        if self.parent.name == "table" and self.name == "date=2026-11-20" and faults:
            raise faults.pop()  # once: the old day is in replaced/, the new one not yet in
        return rename(self, target)

    monkeypatch.setattr(Path, "rename", stopped_after_the_old_day_moved_aside)
    with pytest.raises(Interrupted), staged(tmp_path, "silver_tweets", table, "run-1") as stage:
        for day in ("19", "20", "21"):
            day_folder(stage.table / f"date=2026-11-{day}", **{"part-9.parquet": f"new {day}"})
        stage.commit(["2026-11-19", "2026-11-20", "2026-11-21"])

    # the day caught in between is rolled forward before the stage goes; none is lost
    assert contents(table / "date=2026-11-19") == {"part-9.parquet": "new 19"}
    assert contents(table / "date=2026-11-20") == {"part-9.parquet": "new 20"}
    assert contents(table / "date=2026-11-21") == {"part-0.parquet": "old 21"}
    assert stage.committed == ["2026-11-19", "2026-11-20"]
    assert list((tmp_path / "_staging" / "silver_tweets").iterdir()) == []


def test_every_staged_file_is_on_disk_before_the_first_swap(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    table = tmp_path / "gold" / "daily_counts"
    day_folder(table / "date=2026-11-20", **{"part-0.parquet": "old"})
    synced: list[str] = []
    fsync = os.fsync

    def recording(fd: int) -> None:
        synced.append(os.readlink(f"/proc/self/fd/{fd}"))
        fsync(fd)

    swap_in = lake_commit._swap_in

    def swapping(new: Path, final: Path, replaced: Path) -> None:
        synced.append(f"swap {new.name}")
        swap_in(new, final, replaced)

    monkeypatch.setattr(os, "fsync", recording)
    monkeypatch.setattr(lake_commit, "_swap_in", swapping)
    with staged(tmp_path, "gold_daily_counts", table, "run-1") as stage:
        for day in ("20", "21"):
            day_folder(stage.table / f"date=2026-11-{day}", **{"part-9.parquet": "new"})
        staged_paths = {str(path) for path in stage.table.rglob("*")}
        stage.commit(["2026-11-20", "2026-11-21"])

    first_swap = synced.index("swap date=2026-11-20")
    assert len(staged_paths) == 4 and staged_paths <= set(synced[:first_swap])
    assert str(table) in synced[first_swap:]  # and the table folder after its renames


def test_a_lock_left_without_its_stage_is_removed_once_it_is_old(tmp_path: Path) -> None:
    staging = tmp_path / "_staging" / "silver_tweets"
    staging.mkdir(parents=True)
    orphan, fresh = staging / "dead-run-1.lock", staging / "new-run-2.lock"
    orphan.touch()
    fresh.touch()
    os.utime(orphan, (0, 0))

    recover(tmp_path, "silver_tweets", tmp_path / "silver" / "tweets")

    # a fresh one may be a writer about to make its stage
    assert not orphan.exists() and fresh.exists()
