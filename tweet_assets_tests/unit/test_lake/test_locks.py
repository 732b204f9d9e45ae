"""lake/locks.py: a table's day is written by one process at a time and never under a reader.

The other holder is a real process (a Python child that takes the lock and waits to be told to
let go), so the locks are tested as two runs meet them.
"""

import subprocess
import sys
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from tweet_assets.lake import locks
from tweet_assets.lake.locks import LOCKS_DIR, DayLockTimeout, lock_days, release_step

DAY = date(2026, 11, 20)
HOLDER = """
import sys
from datetime import date
from pathlib import Path
from tweet_assets.lake.locks import lock_days, release_step
lock_days(Path(sys.argv[1]), "silver_tweets", [date(2026, 11, 20)], step=("other", "s"),
          shared=sys.argv[2] == "shared")
print("held", flush=True)
sys.stdin.readline()
release_step()
"""


@pytest.fixture(autouse=True)
def _release() -> Iterator[None]:
    yield
    release_step()


def hold(lake: Path, mode: str) -> subprocess.Popen:
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(lake), mode],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout is not None and holder.stdout.readline() == "held\n"
    return holder


def let_go(holder: subprocess.Popen) -> None:
    holder.communicate("\n", timeout=30)
    assert holder.returncode == 0


def test_a_writer_waits_for_a_reader_of_its_day_and_then_the_lock_file_goes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    reader = hold(tmp_path, "shared")
    heard: list[str] = []
    monkeypatch.setattr(locks, "WAIT_SECONDS", 1.0)

    with pytest.raises(DayLockTimeout, match="silver_tweets 2026-11-20 is held by another run"):
        lock_days(
            tmp_path, "silver_tweets", [DAY], step=("run", "w"), shared=False, waiting=heard.append
        )
    assert heard == ["waiting: another run is reading or writing silver_tweets 2026-11-20"]
    # readers share the day
    lock_days(tmp_path, "silver_tweets", [DAY], step=("run", "r"), shared=True)
    release_step()

    let_go(reader)
    # once the reader has gone, the writer takes the day without waiting for it
    heard.clear()
    lock_days(
        tmp_path, "silver_tweets", [DAY], step=("run", "w"), shared=False, waiting=heard.append
    )
    assert heard == []
    release_step()
    assert not list((tmp_path / LOCKS_DIR).glob("*/*"))


def test_a_reader_waits_for_the_writer_of_its_day_and_other_days_do_not(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    writer = hold(tmp_path, "exclusive")
    monkeypatch.setattr(locks, "WAIT_SECONDS", 0.5)

    with pytest.raises(DayLockTimeout):
        lock_days(tmp_path, "silver_tweets", [DAY], step=("run", "r"), shared=True)
    lock_days(tmp_path, "silver_tweets", [date(2026, 11, 19)], step=("run", "r"), shared=False)
    lock_days(tmp_path, "silver_users", [DAY], step=("run", "r"), shared=False)
    let_go(writer)


def test_a_killed_holder_holds_nothing_and_its_file_goes_at_the_next_release(
    tmp_path: Path,
) -> None:
    holder = hold(tmp_path, "exclusive")
    holder.kill()
    holder.communicate(timeout=30)  # waits, and closes its pipes
    left = tmp_path / LOCKS_DIR / "silver_tweets" / "date=2026-11-20.lock"
    assert left.exists()

    lock_days(tmp_path, "silver_tweets", [date(2026, 11, 19)], step=("run", "w"), shared=False)
    release_step()

    assert not list((tmp_path / LOCKS_DIR).glob("*/*"))


def test_a_new_step_lets_go_of_what_an_earlier_step_of_this_process_held(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(locks, "WAIT_SECONDS", 0.5)
    # a step that failed after reading: nothing released it
    lock_days(tmp_path, "bronze_tweets", [DAY], step=("run", "silver_tweets"), shared=True)

    lock_days(tmp_path, "bronze_tweets", [DAY], step=("run-2", "bronze_tweets"), shared=False)
