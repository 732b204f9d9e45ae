"""Two runs of different days at once, as Dagit allows: both succeed, each keeps to its day."""

import subprocess
from pathlib import Path

import pytest
from dagster import DagsterInstance

from tweet_assets.source import TwitterResource
from tweet_assets_tests.support.dagster_cli import (
    PROJECT_ROOT,
    clean_env,
    dagster_home,
    materialize_command,
)
from tweet_assets_tests.support.pipeline import lake_files, materialize, read_table

pytestmark = [pytest.mark.cli, pytest.mark.usefixtures("spark")]

BEFORE, FIRST, SECOND = "2026-11-18", "2026-11-19", "2026-11-20"
POSTS = 80


def start_run(day: str, home: Path, lake: Path) -> subprocess.Popen:
    return subprocess.Popen(
        materialize_command(day),
        cwd=PROJECT_ROOT,
        env=clean_env(home, lake, TWEETS_DEMO_PER_DAY=str(POSTS)),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def by_day(lake: Path, table: str) -> dict[str, list]:
    frame = read_table(lake, table).sort_values(["date", "id"])
    # array columns (silver's hashtags) as lists, so rows compare by value
    plain = frame.drop(columns="date").map(lambda v: v.tolist() if hasattr(v, "tolist") else v)
    return {day: plain[frame["date"] == day].values.tolist() for day in frame["date"].unique()}


def test_two_runs_of_different_days_at_once_both_succeed_and_keep_to_their_day(
    tmp_path: Path,
) -> None:
    lake, home = tmp_path / "lake", dagster_home(tmp_path / "dagster_home")
    # An instance exists before its runs, as with `make dev`: two processes that both find no
    # SQLite storage race to create its schema, and one fails on alembic_version.
    with DagsterInstance.from_config(str(home)) as instance:
        instance.get_runs(limit=1)
        instance.all_instigator_state()
    materialize(lake, TwitterResource(demo_tweets_per_day=POSTS), BEFORE)
    untouched = lake_files(lake, BEFORE)

    runs = [start_run(day, home, lake) for day in (FIRST, SECOND)]
    both_running = all(run.poll() is None for run in runs)
    outputs = [run.communicate(timeout=600)[0] for run in runs]

    assert both_running, "the two runs should overlap"
    for run, output in zip(runs, outputs, strict=True):
        assert run.returncode == 0, output[-3000:]
    assert lake_files(lake, BEFORE) == untouched
    # each day holds what a run of that day alone writes
    alone = tmp_path / "alone"
    materialize(alone, TwitterResource(demo_tweets_per_day=POSTS), FIRST, SECOND)
    for table in ("silver/tweets", "silver/users"):
        together = by_day(lake, table)
        assert sorted(together) == [BEFORE, FIRST, SECOND]
        assert {day: together[day] for day in (FIRST, SECOND)} == by_day(alone, table)
    gold = read_table(lake, "gold/daily_counts").set_index("date")["tweets"]
    assert gold.to_dict() == read_table(lake, "silver/tweets").groupby("date").size().to_dict()
