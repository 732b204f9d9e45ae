"""A full, read-only or misplaced lake root: an error naming the path and the fix, nothing lost.

The faults are real: the lake lives on a small tmpfs that the test fills up or remounts
read-only (as root, as CI runs). As a normal user the full disk is skipped (mounting needs
root) and the read-only lake is a folder without write permission.
"""

import contextlib
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import dagster as dg
import pytest

from tweet_assets.source import TwitterResource
from tweet_assets_tests.support.pipeline import lake_files, materialize, readable_day

pytestmark = pytest.mark.usefixtures("spark")

DAY = "2026-11-20"


@contextlib.contextmanager
def small_disk_at(tmp_path: Path) -> Iterator[Path]:
    """An 8 MiB tmpfs mounted at `tmp_path/disk` (root only)."""
    disk = tmp_path / "disk"
    disk.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", disk], check=True)
    try:
        yield disk
    finally:
        subprocess.run(["umount", "-l", disk], check=True)


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    if os.geteuid() != 0:
        pytest.skip("mounting a small tmpfs needs root (CI runs as root)")
    with small_disk_at(tmp_path) as disk:
        yield disk


def fill(disk: Path) -> Path:
    filler = disk / "filler"
    with filler.open("wb") as out:
        try:
            while True:
                out.write(b"\0" * 65536)
                out.flush()
        except OSError:
            pass
    return filler


def failure_message(result: dg.ExecuteInProcessResult) -> str:
    """The message of the step's LakeWriteError (Dagster wraps it in a handle-output error)."""
    [failure] = [e for e in result.all_events if e.event_type_value == "STEP_FAILURE"]
    error = failure.event_specific_data.error
    while error is not None and error.cls_name != "LakeWriteError":
        error = error.cause
    assert error is not None, failure.event_specific_data.error.to_string()
    return error.message


class ReadOnly:
    """The lake made read-only and writable again: a remount as root, permissions otherwise."""

    def __init__(self, lake: Path, mounted: bool):
        self.lake, self.mounted = lake, mounted
        self.problem = "Read-only file system" if mounted else "Permission denied"

    def _chmod(self, mode: int) -> None:
        for folder in [self.lake, *(p for p in self.lake.rglob("*") if p.is_dir())]:
            folder.chmod(mode)

    def on(self) -> None:
        if self.mounted:
            subprocess.run(["mount", "-o", "remount,ro", self.lake], check=True)
        else:
            self._chmod(0o555)

    def off(self) -> None:
        if self.mounted:
            subprocess.run(["mount", "-o", "remount,rw", self.lake], check=True)
        else:
            self._chmod(0o755)


@pytest.fixture
def read_only(tmp_path: Path) -> Iterator[ReadOnly]:
    if os.geteuid() != 0:
        lake = tmp_path / "lake"
        lake.mkdir()
        switch = ReadOnly(lake, mounted=False)
        try:
            yield switch
        finally:
            switch.off()
        return
    with small_disk_at(tmp_path) as disk:
        yield ReadOnly(disk, mounted=True)


@pytest.mark.parametrize(
    ("fault", "selection", "problem"),
    [
        ("full", "bronze_tweets", "No space left on device"),
        ("full", "silver_tweets", "No space left on device"),
    ],
)
def test_a_lake_that_refuses_writes_fails_the_step_clearly_and_keeps_every_day(
    small_disk: Path, fault: str, selection: str, problem: str
) -> None:
    materialize(small_disk, TwitterResource(demo_tweets_per_day=40), DAY)
    before = readable_day(small_disk, DAY)
    filler = fill(small_disk)

    result = materialize(
        small_disk,
        TwitterResource(demo_tweets_per_day=400),
        DAY,
        selection=selection,
        raise_on_error=False,
    )

    message = failure_message(result)
    assert f"into the lake at {small_disk}: " in message and problem in message, message
    assert "set DATALAKE_ROOT" in message
    assert readable_day(small_disk, DAY) == before
    filler.unlink()
    assert materialize(
        small_disk, TwitterResource(demo_tweets_per_day=400), DAY, selection=selection
    ).success
    assert readable_day(small_disk, DAY) != before


def test_a_read_only_lake_fails_the_step_clearly_and_keeps_every_day(read_only: ReadOnly) -> None:
    lake = read_only.lake
    materialize(lake, TwitterResource(demo_tweets_per_day=40), DAY)
    before = lake_files(lake, DAY)
    read_only.on()

    result = materialize(lake, TwitterResource(demo_tweets_per_day=400), DAY, raise_on_error=False)

    message = failure_message(result)
    assert f"into the lake at {lake}: " in message and read_only.problem in message, message
    assert "set DATALAKE_ROOT" in message
    assert lake_files(lake, DAY) == before
    read_only.off()
    assert materialize(lake, TwitterResource(demo_tweets_per_day=400), DAY).success
    assert lake_files(lake, DAY) != before


def test_a_lake_root_under_a_file_names_the_path(tmp_path: Path) -> None:
    (tmp_path / "not-a-folder").write_text("")
    root = tmp_path / "not-a-folder" / "lake"

    result = materialize(root, TwitterResource(demo_tweets_per_day=5), DAY, raise_on_error=False)

    message = failure_message(result)
    assert f"into the lake at {root}: Not a directory" in message, message
    assert "set DATALAKE_ROOT" in message
