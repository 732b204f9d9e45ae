"""The same definitions on a Spark Connect server and on a standalone cluster, configured by
environment only: each runs a 2-day range through the dagster CLI and must land what a local run
lands, day for day."""

import subprocess
import sys
from pathlib import Path

import pytest
from deltalake import DeltaTable

from tweet_assets.lake.catalog import READ_ONLY
from tweet_assets.source import TwitterResource
from tweet_assets_tests.support.dagster_cli import BIN, PROJECT_ROOT, clean_env, materialize_all
from tweet_assets_tests.support.pipeline import (
    every_lake_file,
    hostile_statements,
    lake_files,
    materialize,
    read_table,
)
from tweet_assets_tests.support.processes import alive_in_group
from tweet_assets_tests.support.spark_cluster import alive, connect_server, standalone_cluster

pytestmark = [pytest.mark.cluster, pytest.mark.usefixtures("spark")]

FIRST, LAST = "2026-11-19", "2026-11-20"
POSTS = 60
TABLES = ("bronze/tweets", "silver/tweets", "silver/users", "gold/daily_counts")


def run_range(tmp_path: Path, partition: str, lake: str, **env: str) -> str:
    """`dagster asset materialize --select '*'` over `partition` (a day or `FIRST...LAST`)."""
    result = materialize_all(
        tmp_path,
        partition,
        SPARK_LOCAL_IP="127.0.0.1",
        DATALAKE_ROOT=lake,
        TWEETS_DEMO_PER_DAY=str(POSTS),
        **env,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-4000:]
    assert "RUN_SUCCESS" in output, output[-4000:]
    return output


@pytest.fixture(scope="module")
def local_lake(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The range as the local in-process Spark lands it: what every cluster must land."""
    lake = tmp_path_factory.mktemp("local") / "lake"
    materialize(lake, TwitterResource(demo_tweets_per_day=POSTS), FIRST, LAST)
    return lake


def assert_same_tables(lake: Path, expected: Path) -> None:
    for table in TABLES:
        if table.startswith("bronze"):  # the pages byte for byte, in their order, by day
            pages = ["date", "seq", "value"]
            got = read_table(lake, table)[pages].sort_values(pages[:2]).reset_index(drop=True)
            want = read_table(expected, table)[pages].sort_values(pages[:2])
            assert got.equals(want.reset_index(drop=True)), table
            assert sorted(got["date"].unique()) == [FIRST, LAST], table
            files = DeltaTable(str(lake / table)).file_uris()  # the latest version's, by its log
            assert len(files) == 2, f"{table}: one file a day, not {files}"
            continue
        # `fetched_at` is when each run fetched the day: the one column that differs by design
        frame = read_table(lake, table).drop(columns="fetched_at", errors="ignore")
        want = read_table(expected, table).drop(columns="fetched_at", errors="ignore")
        assert sorted(frame["date"].unique()) == [FIRST, LAST], table
        keys = ["date", "id"] if "id" in frame else ["date"]
        frame = frame.sort_values(keys).reset_index(drop=True)
        want = want.sort_values(keys).reset_index(drop=True)
        assert frame[sorted(frame.columns)].equals(want[sorted(want.columns)]), table
        if table.startswith("gold"):  # the fetch records reached gold on this path too
            assert list(frame["expected_tweets"]) == [POSTS, POSTS]
            assert frame["complete"].all()


def test_spark_connect_runs_a_range_and_a_multiprocess_rerun_of_one_day(
    tmp_path: Path, local_lake: Path
) -> None:
    lake = tmp_path / "lake"
    with connect_server(tmp_path / "connect") as server:
        run_range(tmp_path, f"{FIRST}...{LAST}", lake.as_uri(), SPARK_REMOTE=server.url)
        assert_same_tables(lake, local_lake)
        # Re-run the last day with a process per step: each is a thin client of the server.
        first_day = lake_files(lake, FIRST)
        output = run_range(
            tmp_path, LAST, str(lake), SPARK_REMOTE=server.url, TWEETS_EXECUTOR="multiprocess"
        )
        assert output.count("STEP_WORKER_STARTED") >= 3, output[-3000:]
        assert lake_files(lake, FIRST) == first_day, "re-running a day touched the day before"
        assert_same_tables(lake, local_lake)
        # `tweet-lake sql` over the server runs only reads (its statements parsed in this
        # machine's parse-only JVM, a Connect client having no parser)
        elsewhere = tmp_path / "elsewhere"
        elsewhere.mkdir()
        before, hostile = every_lake_file(lake), hostile_statements(lake, elsewhere)
        sql = subprocess.run(
            [str(BIN / "tweet-lake"), "sql"],
            input="\n".join([*hostile, "select count(*) as days from gold.daily_counts"]),
            cwd=PROJECT_ROOT,
            env=clean_env(tmp_path / "home", lake, SPARK_REMOTE=server.url),
            capture_output=True,
            text=True,
            timeout=300,
        )
        # what else it printed names the statement that was not refused
        others = [line for line in sql.stderr.splitlines() if not line.startswith(READ_ONLY)]
        assert sql.stderr.count(f"{READ_ONLY}: ") == len(hostile), (others, sql.stdout[-3000:])
        assert sql.stdout.split()[-5:-1] == ["days", "2", "(1", "rows)"], sql.stdout[-2000:]
        assert every_lake_file(lake) == before
        assert not list(elsewhere.iterdir())
    assert "Spark Connect server started" in server.log.read_text()
    assert not alive(server.pid), "the Spark Connect server outlived its stop"


def test_standalone_cluster_runs_a_range_in_the_workers_executor(
    tmp_path: Path, local_lake: Path
) -> None:
    lake = tmp_path / "lake"
    with standalone_cluster(tmp_path / "cluster") as cluster:
        run_range(
            tmp_path,
            f"{FIRST}...{LAST}",
            lake.as_uri(),
            SPARK_MASTER=cluster.master_url,
            PYSPARK_PYTHON=sys.executable,
        )
        app = cluster.completed_app("tweet-lake")
    assert_same_tables(lake, local_lake)
    # The worker ran the application's executor, and the executor ran the tasks.
    [executor_log] = (cluster.worker_dir / app["id"]).glob("*/stderr")
    log = executor_log.read_text()
    assert "Running task" in log and "Finished task" in log, log[-3000:]
    leftovers = {group: alive_in_group(group) for group in cluster.groups}
    assert not any(leftovers.values()), f"processes outlived the cluster: {leftovers}"
