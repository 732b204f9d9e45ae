"""Dagit end to end, as a user meets it: `dagster dev`, a backfill, the daemon, a browser.

`dagster dev` runs on a free loopback port in a process group of its own, against a temporary
instance and lake on the offline demo corpus. The backfill is launched through the GraphQL
mutation Dagit's "Materialize" dialog sends; headless Chromium (Debian's, through Playwright)
then looks at the asset graph and gold's partitions, and turns the schedule on with its toggle.
Screenshots and the server log land in `.artifacts/dagit/` (or `$TWEET_LAKE_ARTIFACTS/dagit`).

The tests share one server and run in file order; `pytest -m e2e` runs them alone.
"""

import contextlib
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import requests
from playwright.sync_api import Browser, Page, expect, sync_playwright

from tweet_assets_tests.support.dagster_cli import clean_env, dagster_home
from tweet_assets_tests.support.pipeline import read_table
from tweet_assets_tests.support.processes import alive_in_group, free_port

pytestmark = pytest.mark.e2e

PROJECT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(os.environ.get("TWEET_LAKE_ARTIFACTS", PROJECT / ".artifacts")) / "dagit"
ASSETS = ["bronze_tweets", "silver_tweets", "silver_users", "gold_daily_counts"]
TABLES = ["bronze/tweets", "silver/tweets", "silver/users", "gold/daily_counts"]
POSTS_PER_DAY = 120
SCHEDULE = {
    "repositoryLocationName": "tweet_assets",
    "repositoryName": "__repository__",
    "scheduleName": "tweets_daily_schedule",
}


def utc_today() -> date:
    return datetime.now(UTC).date()


TODAY = utc_today()
# Three days that leave yesterday to the schedule.
BACKFILL_DAYS = [(TODAY - timedelta(days=back)).isoformat() for back in (4, 3, 2)]

LOCATIONS = """{ workspaceOrError { __typename ... on Workspace { locationEntries {
  name loadStatus locationOrLoadError { __typename ... on PythonError { message } } } } } }"""
LAUNCH_BACKFILL = """mutation ($params: LaunchBackfillParams!) {
  launchPartitionBackfill(backfillParams: $params) {
    __typename ... on LaunchBackfillSuccess { backfillId } ... on PythonError { message } } }"""
BACKFILL = """query ($id: String!) { partitionBackfillOrError(backfillId: $id) {
  __typename ... on PartitionBackfill { status runs(limit: 10) { runId status tags { key value } } }
  ... on PythonError { message } } }"""
RUNS = """query ($tags: [ExecutionTag!]) { runsOrError(filter: {tags: $tags}) {
  __typename ... on Runs { results { runId status tags { key value } } } } }"""
SCHEDULE_STATE = """query ($selector: ScheduleSelector!) {
  scheduleOrError(scheduleSelector: $selector) {
    __typename ... on Schedule { cronSchedule scheduleState { status } } } }"""
FINISHED = {"SUCCESS", "FAILURE", "CANCELED"}


def wait_for(what: str, check: Callable[[], Any], timeout: float, log: Path) -> Any:
    """Poll `check` until it returns something truthy; fail naming `what` and the server log."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(1)
    tail = "".join(log.read_text(errors="replace").splitlines(keepends=True)[-40:])
    pytest.fail(f"{what}: not within {timeout:.0f} s. End of {log}:\n{tail}")


@dataclass
class DagsterDev:
    url: str
    lake: Path
    log: Path
    process: subprocess.Popen

    def gql(self, query: str, **variables: Any) -> dict[str, Any]:
        answer = requests.post(
            f"{self.url}/graphql", json={"query": query, "variables": variables}, timeout=30
        )
        answer.raise_for_status()
        body = answer.json()
        assert "errors" not in body, body["errors"]
        return body["data"]

    def runs(self, key: str, value: str) -> list[dict[str, Any]]:
        return self.gql(RUNS, tags=[{"key": key, "value": value}])["runsOrError"]["results"]

    def wait(self, what: str, check: Callable[[], Any], timeout: float) -> Any:
        def still_serving() -> Any:
            code = self.process.poll()
            assert code is None, f"dagster dev exited with {code} while waiting: {what}"
            return check()

        return wait_for(what, still_serving, timeout, self.log)

    def stop(self) -> list[str]:
        """Ctrl-C to `dagster dev`, then SIGKILL to its whole group; what still runs after."""
        pgid = self.process.pid  # the leader of its own session and group
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout=20)
        # `dagster dev` may leave (or, on SIGTERM, ignore) children: the group goes regardless.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pgid, signal.SIGKILL)
        self.process.wait(timeout=30)
        deadline = time.monotonic() + 30
        while alive_in_group(pgid) and time.monotonic() < deadline:
            time.sleep(0.5)
        return alive_in_group(pgid)


def _restore_ctrl_c() -> None:
    # A shell's background job starts with SIGINT ignored, and Python would then never install
    # its Ctrl-C handler; the server must take Ctrl-C however pytest was started.
    signal.signal(signal.SIGINT, signal.SIG_DFL)


@pytest.fixture(scope="module")
def dagster_dev(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DagsterDev]:
    root = tmp_path_factory.mktemp("dagit")
    home, lake = root / "dagster_home", root / "datalake"
    dagster_home(home)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    log = ARTIFACTS / "dagster-dev.log"
    env = clean_env(
        home,
        lake,
        TWEETS_DEMO_PER_DAY=str(POSTS_PER_DAY),
        # every minute, so the daemon ticks it within the test; one run per day by run key
        TWEETS_SCHEDULE_CRON="* * * * *",
    )
    port = free_port()
    with log.open("w") as out:
        process = subprocess.Popen(
            [
                *(
                    Path(sys.executable).with_name("dagster"),
                    "dev",
                    "-w",
                    PROJECT / "workspace.yaml",
                ),
                *("-h", "127.0.0.1", "-p", str(port)),
            ],
            cwd=PROJECT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            preexec_fn=_restore_ctrl_c,  # resets one signal, then exec
        )
    server = DagsterDev(f"http://127.0.0.1:{port}", lake, log, process)
    try:
        server.wait(
            "Dagit answers with the tweet_assets code location loaded", server_loaded(server), 180
        )
        yield server
    finally:
        server.stop()


def server_loaded(server: DagsterDev) -> Callable[[], bool]:
    def loaded() -> bool:
        try:
            workspace = server.gql(LOCATIONS)["workspaceOrError"]
        except requests.RequestException:
            return False
        entries = workspace.get("locationEntries") or []
        for entry in entries:
            error = entry["locationOrLoadError"] or {}
            assert error.get("__typename") != "PythonError", error.get("message")
        return any(
            entry["name"] == "tweet_assets" and entry["loadStatus"] == "LOADED" for entry in entries
        )

    return loaded


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    page = browser.new_page(viewport={"width": 1600, "height": 900})
    # A fresh instance greets its first visitor with a newsletter dialog over the page.
    page.add_locator_handler(
        page.get_by_text("Join the Dagster community"),
        lambda: page.get_by_role("button", name="Skip").click(),
    )
    yield page
    page.close()


def day_dirs(table: Path) -> list[str]:
    """The days the Delta table holds rows of, read through its log."""
    return sorted(
        read_table(table.parent.parent, f"{table.parent.name}/{table.name}")["date"].unique()
    )


def materialized_days(dagster_dev: DagsterDev) -> list[str]:
    """The backfill's days and, once the schedule test has run, the day its run landed."""
    runs = dagster_dev.runs("dagster/schedule_name", "tweets_daily_schedule")
    scheduled = [
        {t["key"]: t["value"] for t in run["tags"]}["dagster/partition"]
        for run in runs
        if run["status"] == "SUCCESS"
    ]
    return sorted({*BACKFILL_DAYS, *scheduled})


@pytest.fixture(scope="module")
def backfill_id(dagster_dev: DagsterDev) -> str:
    """A 3-day backfill, launched through the GraphQL mutation Dagit's dialog sends; the tests
    that come before its own wait (the asset graph, the schedule) run while it does."""
    launched = dagster_dev.gql(
        LAUNCH_BACKFILL,
        params={
            "partitionNames": BACKFILL_DAYS,
            "assetSelection": [{"path": [key]} for key in ASSETS],
            "fromFailure": False,
            "title": "e2e: three days",
        },
    )["launchPartitionBackfill"]
    assert launched["__typename"] == "LaunchBackfillSuccess", launched
    return launched["backfillId"]


@pytest.mark.usefixtures("backfill_id")  # the backfill runs meanwhile
def test_the_asset_graph_shows_bronze_then_silver_then_gold(
    dagster_dev: DagsterDev, page: Page
) -> None:
    page.goto(f"{dagster_dev.url}/asset-groups")
    graph = page.locator("svg foreignObject")
    expect(graph.first).to_be_visible(timeout=60_000)
    # One group per layer, folded at first: unfold each as a user would.
    for _ in range(3):
        folded = graph.locator("[aria-label=unfold_more]")
        if not folded.count():
            break
        # A click event on the button itself, not a pointer click at its place: with two gold
        # assets a group's button can sit under the split panel's divider, and Dagit's "Join
        # the Dagster community" dialog may cover the graph; either would take the click.
        folded.first.dispatch_event("click")
    page.reload()  # the unfolded groups stay in the URL; a fresh load fits the graph to the view
    nodes = {key: graph.get_by_text(key, exact=True) for key in ASSETS}
    for node in nodes.values():
        expect(node).to_be_visible()
    page.wait_for_timeout(1000)  # let the layout settle before measuring and shooting
    page.screenshot(path=ARTIFACTS / "asset-graph.png")

    left = {key: node.bounding_box()["x"] for key, node in nodes.items()}
    assert left["bronze_tweets"] < left["silver_tweets"] < left["gold_daily_counts"], left
    assert left["bronze_tweets"] < left["silver_users"] < left["gold_daily_counts"], left


@pytest.mark.usefixtures("backfill_id")  # the backfill's run and the schedule's overlap
def test_the_schedule_turned_on_in_dagit_runs_yesterday(
    dagster_dev: DagsterDev, page: Page
) -> None:
    page.goto(f"{dagster_dev.url}/locations/tweet_assets/schedules/tweets_daily_schedule")
    toggle = page.get_by_role("checkbox")
    expect(toggle).not_to_be_checked(timeout=60_000)

    page.locator("label", has=toggle).click()

    expect(toggle).to_be_checked()

    # The toggle shows checked at once; the instance stores the state when the mutation lands.
    def schedule_running() -> bool:
        state = dagster_dev.gql(SCHEDULE_STATE, selector=SCHEDULE)["scheduleOrError"]
        return state["scheduleState"]["status"] == "RUNNING"

    dagster_dev.wait("the instance records the schedule as RUNNING", schedule_running, 30)

    def scheduled_run_finished() -> dict[str, Any] | None:
        runs = dagster_dev.runs("dagster/schedule_name", "tweets_daily_schedule")
        return runs[0] if runs and runs[0]["status"] in FINISHED else None

    run = dagster_dev.wait(
        "the daemon ticks the schedule and its run ends", scheduled_run_finished, 240
    )
    page.reload()
    expect(toggle).to_be_checked(timeout=60_000)
    expect(page.get_by_text("Schedule has never run")).to_have_count(0)
    page.screenshot(path=ARTIFACTS / "schedule.png")

    # "Yesterday" is the day before the tick; a test that straddles midnight UTC may see either.
    yesterdays = {(day - timedelta(days=1)).isoformat() for day in (TODAY, utc_today())}
    tags = {tag["key"]: tag["value"] for tag in run["tags"]}
    assert tags["dagster/partition"] in yesterdays
    assert run["status"] == "SUCCESS"
    assert tags["dagster/partition"] in day_dirs(dagster_dev.lake / "gold" / "daily_counts")
    # however often the cron fired meanwhile, the schedule kept to one run a day
    runs = dagster_dev.runs("dagster/schedule_name", "tweets_daily_schedule")
    partitions = [{t["key"]: t["value"] for t in r["tags"]}["dagster/partition"] for r in runs]
    assert len(partitions) == len(set(partitions)) and set(partitions) <= yesterdays


def test_a_backfill_from_the_ui_api_runs_as_one_run_and_lands_three_days(
    dagster_dev: DagsterDev, backfill_id: str
) -> None:
    def finished() -> dict[str, Any] | None:
        backfill = dagster_dev.gql(BACKFILL, id=backfill_id)["partitionBackfillOrError"]
        assert backfill["__typename"] == "PartitionBackfill", backfill
        return backfill if backfill["status"] not in {"REQUESTED", "CANCELING"} else None

    backfill = dagster_dev.wait("the backfill finishes", finished, 300)

    assert backfill["status"] in {"COMPLETED_SUCCESS", "COMPLETED"}, backfill
    [run] = backfill["runs"]
    tags = {tag["key"]: tag["value"] for tag in run["tags"]}
    assert run["status"] == "SUCCESS"
    assert (
        tags["dagster/asset_partition_range_start"],
        tags["dagster/asset_partition_range_end"],
    ) == (
        BACKFILL_DAYS[0],
        BACKFILL_DAYS[-1],
    )
    # exactly those days (and the schedule's, which ran meanwhile)
    for table in TABLES:
        assert day_dirs(dagster_dev.lake / table) == materialized_days(dagster_dev), table
    gold = read_table(dagster_dev.lake, "gold/daily_counts")
    gold = gold[gold["date"].isin(BACKFILL_DAYS)].sort_values("date")
    assert gold["date"].tolist() == BACKFILL_DAYS
    assert gold["tweets"].tolist() == [POSTS_PER_DAY] * 3


def test_gold_partitions_view_shows_the_backfilled_days_materialized(
    dagster_dev: DagsterDev, page: Page
) -> None:
    days = materialized_days(dagster_dev)
    page.goto(f"{dagster_dev.url}/assets/gold_daily_counts?view=partitions")

    expect(page.get_by_text(f"Materialized ({len(days)})", exact=True)).to_be_visible(
        timeout=60_000
    )
    expect(page.get_by_text("Failed (0)", exact=True)).to_be_visible()
    # Hide the missing days: what is left in the list is what Dagit calls materialized.
    page.get_by_text(re.compile(r"^Missing \(\d+\)$")).click()
    for day in days:
        expect(page.locator(f'div[title="{day}"]')).to_be_visible()
    page.screenshot(path=ARTIFACTS / "gold-partitions.png")

    listed = page.locator("div[title]").evaluate_all("rows => rows.map(row => row.title)")
    assert sorted(title for title in listed if re.fullmatch(r"\d{4}-\d\d-\d\d", title)) == days


@pytest.mark.parametrize("asset", ["bronze_tweets", "silver_users", "gold_daily_counts"])
def test_after_the_backfill_each_days_check_shows_passed(
    dagster_dev: DagsterDev, page: Page, asset: str
) -> None:
    """A range run's checks give each day its own verdict, so the backfilled days show passed
    (not "0 / N passed" with every partition unfilled)."""
    page.goto(f"{dagster_dev.url}/assets/{asset}?view=checks")
    expect(page.get_by_text("Evaluation result")).to_be_visible(timeout=60_000)
    # The check's own tabs come after the asset's; its Partitions tab is the last of that name.
    page.get_by_text("Partitions", exact=True).last.click()

    passed = len(materialized_days(dagster_dev))
    expect(page.get_by_text(f"Passed ({passed})", exact=True)).to_be_visible(timeout=60_000)
    expect(page.get_by_text("Failed (0)", exact=True)).to_be_visible()
    expect(page.get_by_text("Execution Failed (0)", exact=True)).to_be_visible()
    page.screenshot(path=ARTIFACTS / f"{asset}-check-partitions.png")


def test_stopping_dagster_dev_leaves_no_process_behind(dagster_dev: DagsterDev) -> None:
    pgid = dagster_dev.process.pid
    assert alive_in_group(pgid), "the server's process group should be running before the stop"

    left = dagster_dev.stop()

    assert left == [], f"still running in process group {pgid}: {left}"
    with pytest.raises(requests.ConnectionError):
        requests.get(f"{dagster_dev.url}/server_info", timeout=5)
