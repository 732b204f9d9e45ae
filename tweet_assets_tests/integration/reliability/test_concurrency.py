"""Two runs of the same day at once (a backfill and the schedule, or two clicks): both succeed,
and every layer of the day comes from one and the same fetch.

The runs are two `dagster asset materialize` processes on one instance and one lake. The test
API holds each fetch's first page until both runs have begun fetching, so the runs are proven
to overlap on the day; each fetch serves a different day (fetch N drops the N - 1 newest posts
and gives every post N likes), so the lake tells which fetch each layer came from.
"""

import json
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from dagster import DagsterEventType, DagsterInstance
from deltalake import DeltaTable

from tweet_assets.lake.locks import LOCKS_DIR
from tweet_assets.lake.raw_pages import SPOOL_PREFIX
from tweet_assets.source import TwitterResource
from tweet_assets_tests.support.dagster_cli import (
    PROJECT_ROOT,
    clean_env,
    dagster_home,
    materialize_command,
)
from tweet_assets_tests.support.fake_x_api import (
    TEST_TOKEN,
    FakeXApi,
    FakeXApiServer,
    engaged_day,
)
from tweet_assets_tests.support.pipeline import lake_files, materialize, read_table

pytestmark = [pytest.mark.usefixtures("spark")]

# inside the recent-search window (the last 7 days)
BEFORE, DAY, AFTER = (str((datetime.now(UTC) - timedelta(days=n)).date()) for n in (3, 2, 1))
POSTS = 150
TABLES = (
    "bronze/tweets",
    "silver/tweets",
    "silver/users",
    "gold/daily_counts",
    "gold/daily_hashtags",
)


def start_run(
    partition: str, home: Path, lake: Path, temp: Path, api: FakeXApi
) -> subprocess.Popen:
    return subprocess.Popen(
        materialize_command(partition),
        cwd=PROJECT_ROOT,
        env=clean_env(
            home,
            lake,
            TWITTER_BEARER_TOKEN=TEST_TOKEN,
            TWITTER_API_BASE_URL=api.base_url,
            TMPDIR=str(temp),
        ),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def bronze_likes(lake: Path, day: str) -> set[int]:
    """The like counts of the day's posts in bronze's raw pages: which fetches they are from."""
    bronze = read_table(lake, "bronze/tweets")
    return {
        post["public_metrics"]["like_count"]
        for page in bronze[bronze["date"] == day]["value"].dropna()
        for post in json.loads(page).get("data", [])
    }


def test_two_runs_of_the_same_day_at_once_leave_every_layer_from_one_fetch(
    tmp_path: Path,
) -> None:
    lake, home, temp = tmp_path / "lake", dagster_home(tmp_path / "dagster_home"), tmp_path / "t"
    temp.mkdir()
    # An instance exists before its runs, as with `make dev`: two processes that both find no
    # SQLite storage race to create its schema, and one fails on alembic_version.
    with DagsterInstance.from_config(str(home)) as instance:
        instance.get_runs(limit=1)
        instance.all_instigator_state()

    materialize(lake, TwitterResource(demo_tweets_per_day=40), BEFORE)
    untouched = lake_files(lake, BEFORE)

    with FakeXApiServer(FakeXApi(token=TEST_TOKEN, vary_by_fetch=True, together=2)) as api:
        for day in (DAY, AFTER):
            engaged_day(api, day, POSTS)
        # one run of the day; one of the day and the next, as a backfill and the schedule
        runs = [start_run(p, home, lake, temp, api) for p in (DAY, f"{DAY}...{AFTER}")]
        outputs = [run.communicate(timeout=900)[0] for run in runs]

    for run, output in zip(runs, outputs, strict=True):
        assert run.returncode == 0, output[-3000:]
    assert api.fetches == 3, "the day twice, the day after once"

    # The runs overlapped: both fetched the day at once (the API held each first page until
    # the other run asked too), and each run's bronze step ran while the other's did.
    with DagsterInstance.from_config(str(home)) as instance:
        spans, run_ids = [], set()
        for run in instance.get_runs(limit=2):
            run_ids.add(run.run_id)
            events = instance.get_records_for_run(run.run_id).records
            steps = {
                e.event_log_entry.dagster_event.event_type: e.event_log_entry.timestamp
                for e in events
                if e.event_log_entry.dagster_event is not None
                and e.event_log_entry.step_key == "bronze_tweets"
            }
            spans.append((steps[DagsterEventType.STEP_START], steps[DagsterEventType.STEP_SUCCESS]))
    (start_a, end_a), (start_b, end_b) = spans
    assert start_a < end_b and start_b < end_a, spans

    # Every layer of the day is the same fetch's: bronze's pages, both silver tables (users
    # are written after tweets, from the same parse of bronze), both gold tables.
    [fetch] = bronze_likes(lake, DAY)
    served = POSTS - (fetch - 1)
    silver = read_table(lake, "silver/tweets")
    day_silver = silver[silver["date"] == DAY]
    assert len(day_silver) == served and set(day_silver["like_count"]) == {fetch}
    users = read_table(lake, "silver/users")
    assert set(users[users["date"] == DAY]["listed_count"]) == {fetch}
    gold = read_table(lake, "gold/daily_counts").set_index("date")
    assert gold.loc[DAY, "tweets"] == served
    hashtags = read_table(lake, "gold/daily_hashtags")
    day_tags = hashtags[hashtags["date"] == DAY]
    assert (day_tags["like_count"] == day_tags["tweets"] * fetch).all(), day_tags
    # the day only the range fetched is whole too; the day before is byte-identical
    assert gold.loc[AFTER, "tweets"] == len(silver[silver["date"] == AFTER])
    assert lake_files(lake, BEFORE) == untouched

    # each Delta table's history names both runs
    for table in TABLES:
        history = DeltaTable(str(lake / table)).history()
        named = {json.loads(h.get("userMetadata") or "{}").get("dagster_run_id") for h in history}
        assert run_ids <= named, table
    # nothing is left: no lock, no spool
    assert not list((lake / LOCKS_DIR).glob("*/*"))
    assert not list(temp.glob(f"{SPOOL_PREFIX}*"))
