"""kill -9 during a write: each day stays whole (all old rows or all new), others untouched.

A day D of every table is materialized with OLD posts, then its upstream is refreshed with NEW
posts, and a subprocess re-materializes one asset for D and is SIGKILLed while it writes (see
kill_run.py for the moments). Afterwards D, read as any reader does (bronze's folder; silver's
and gold's Delta log, through delta-rs), holds the old rows or the new ones, never a mix or a
subset; the days around it are byte-identical; and a re-run succeeds and leaves no stage behind.
"""

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from tweet_assets.lake.locks import LOCKS_DIR
from tweet_assets.lake.raw_pages import SPOOL_PREFIX
from tweet_assets.lake.writes import STAGING
from tweet_assets.source import TwitterResource
from tweet_assets_tests.support.pipeline import lake_files, materialize, read_table

pytestmark = pytest.mark.usefixtures("spark")

KILL_RUN = "tweet_assets_tests.integration.reliability.kill_run"
DAY, OTHERS = "2026-11-20", ["2026-11-19", "2026-11-21"]
OLD, NEW = 60, 90
UPSTREAM = {
    "bronze_tweets": None,
    "silver_tweets": "bronze_tweets",
    "gold_daily_counts": "+silver_tweets",
}
TABLE = {
    "bronze_tweets": "bronze/tweets",
    "silver_tweets": "silver/tweets",
    "gold_daily_counts": "gold/daily_counts",
}


def posts_on(lake: Path, asset: str) -> int | None:
    """How many posts `asset` holds for DAY, read as a reader would; None if it has no DAY."""
    table = read_table(lake, TABLE[asset])
    table = table[table["date"] == DAY]
    if table.empty:
        return None
    if asset == "bronze_tweets":
        return sum(len(json.loads(page).get("data") or []) for page in table["value"].dropna())
    return len(table) if asset == "silver_tweets" else int(table["tweets"].item())


@pytest.fixture(scope="module")
def old_days(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every table of the days around DAY, OLD posts a day, made once: each test starts from a
    copy of it."""
    lake = tmp_path_factory.mktemp("old_days")
    materialize(lake, TwitterResource(demo_tweets_per_day=OLD), OTHERS[0], OTHERS[1])
    return lake


def kill_while_writing(lake: Path, asset: str, moment: str, temp: Path) -> None:
    run = subprocess.Popen(
        [sys.executable, "-m", KILL_RUN, str(lake), asset, DAY, str(NEW), moment],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
        # the kill's UDF runs in Spark's Python workers: this interpreter, not PATH's python3
        env={**os.environ, "TMPDIR": str(temp), "PYSPARK_PYTHON": sys.executable},
    )
    try:
        output, _ = run.communicate(timeout=300)
    finally:
        # its JVM may outlive it for a moment: the whole group goes
        with contextlib.suppress(ProcessLookupError):
            os.killpg(run.pid, signal.SIGKILL)
    assert run.returncode == -signal.SIGKILL, output[-3000:]


@pytest.mark.parametrize(
    ("asset", "moment", "after_kill"),
    [
        ("bronze_tweets", "writing-files", "old"),
        ("bronze_tweets", "after-log", "new"),
        ("silver_tweets", "writing-files", "old"),
        ("silver_tweets", "files-written", "old or new"),
        ("silver_tweets", "after-log", "new"),
        ("gold_daily_counts", "files-written", "old or new"),
    ],
)
def test_a_write_killed_leaves_the_day_whole_and_the_rerun_succeeds(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    old_days: Path,
    asset: str,
    moment: str,
    after_kill: str,
) -> None:
    shutil.copytree(old_days, tmp_path, dirs_exist_ok=True)
    if UPSTREAM[asset]:
        materialize(
            tmp_path, TwitterResource(demo_tweets_per_day=NEW), DAY, selection=UPSTREAM[asset]
        )
    old = posts_on(tmp_path, asset)
    around = {day: lake_files(tmp_path, day) for day in OTHERS}

    # the killed run's temp folder, where bronze spools its pages, is the re-run's too
    temp = tmp_path / "tmp"
    temp.mkdir()
    kill_while_writing(tmp_path, asset, moment, temp)
    spooled = list(temp.glob(f"{SPOOL_PREFIX}*"))
    assert bool(spooled) is (asset == "bronze_tweets"), spooled

    killed = posts_on(tmp_path, asset)
    monkeypatch.setattr(tempfile, "tempdir", str(temp))
    materialize(tmp_path, TwitterResource(demo_tweets_per_day=NEW), DAY, selection=asset)
    new = posts_on(tmp_path, asset)

    assert old != new, "the test needs the re-materialization to change the day"
    assert killed in {"old": [old], "new": [new], "old or new": [old, new]}[after_kill]
    assert {day: lake_files(tmp_path, day) for day in OTHERS} == around
    # nothing of the dead writer is left: no lock, no spool, no staging folder
    assert not list((tmp_path / LOCKS_DIR).glob("*/*")), "the day locks the killed run held"
    assert not list(tmp_path.glob(f"*/*/{STAGING}/*")), "the killed write's staging folder"
    assert not list(temp.glob(f"{SPOOL_PREFIX}*"))
