"""lake/locks.py: a table's day is written by one process at a time and never under a reader.

The other holder is a real process (a Python child that takes the lock and waits to be told to
let go), so the locks are tested as two runs meet them.
"""

import os
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


# A run of another OS user: as root, this one without the capabilities that let root open any
# file; otherwise the file is made unreadable or read-only to its owner instead.
OTHER_RUN = """
import sys
from datetime import date
from pathlib import Path
from tweet_assets.lake import locks
locks.WAIT_SECONDS = 1.0
locks.lock_days(Path(sys.argv[1]), "silver_tweets", [date(2026, 11, 20)], step=("me", "s"),
                shared=sys.argv[2] == "shared", waiting=print)
print("held", flush=True)
locks.release_step()
"""
NOBODY = 65534


def another_users_file(lake: Path, mode: int) -> Path:
    """The day's lock file, made by another user with `mode`."""
    path = lake / LOCKS_DIR / "silver_tweets" / "date=2026-11-20.lock"
    path.parent.mkdir(parents=True)
    path.touch()
    if os.geteuid() == 0:
        os.chown(path, NOBODY, NOBODY)
    path.chmod(mode if os.geteuid() == 0 else 0o444 if mode & 0o044 else 0)
    return path


def run_as_this_user(lake: Path, mode: str) -> subprocess.CompletedProcess:
    command = [sys.executable, "-c", OTHER_RUN, str(lake), mode]
    if os.geteuid() == 0:
        no_override = "-dac_override,-dac_read_search,-fowner"
        command = ["setpriv", "--inh-caps=-all", f"--bounding-set={no_override}", "--", *command]
    return subprocess.run(command, capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize("mode", ["shared", "exclusive"])
def test_another_users_lock_file_is_locked_read_only_and_waited_for(
    tmp_path: Path, mode: str
) -> None:
    another_users_file(tmp_path, 0o644)
    holder = hold(tmp_path, "exclusive")

    waited = run_as_this_user(tmp_path, mode)

    assert waited.stdout.startswith("waiting: another run is reading or writing"), waited
    assert "DayLockTimeout" in waited.stderr and "held" not in waited.stdout
    let_go(holder)
    assert run_as_this_user(tmp_path, mode).stdout == "held\n"


@pytest.mark.parametrize("mode", ["shared", "exclusive"])
def test_another_users_lock_file_this_run_may_not_open_stops_the_step_saying_how(
    tmp_path: Path, mode: str
) -> None:
    path = another_users_file(tmp_path, 0o600)

    denied = run_as_this_user(tmp_path, mode)

    assert denied.returncode != 0 and "held" not in denied.stdout
    [said] = [line for line in denied.stderr.splitlines() if line.startswith("tweet_assets")]
    assert said.startswith(f"{locks.__name__}.DayLockDenied: cannot take the day lock {path} (")
    if os.geteuid() == 0:
        assert "belongs to user nobody (uid 65534) and this run is user root (uid 0)" in said
    assert "Fix: run every writer of this lake as one OS user" in said
