"""The bearer token reaches the API and nothing else: no log, event, compute log, file or output.

A whole CLI run against an API on 127.0.0.1 that rate-limits and fails now and then, so the
retry and back-off paths log too.
"""

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tweet_assets_tests.support.dagster_cli import materialize_all
from tweet_assets_tests.support.fake_x_api import FakeXApi, FakeXApiServer, make_tweet, make_user
from tweet_assets_tests.support.pipeline import read_table

pytestmark = pytest.mark.cli

TOKEN = "AAAAAAAAAAAAAAAAAAAAA-reliability-Zx81-DISTINCTIVE-%2Fsecret"


def test_the_token_appears_in_no_file_log_or_output(tmp_path: Path) -> None:
    day = (datetime.now(UTC) - timedelta(days=1)).date()
    with FakeXApiServer(FakeXApi(token=TOKEN)) as api:
        api.users["1"] = make_user("1", "ana")
        for n in range(250):
            api.add(make_tweet(str(700 + n), f"{day}T10:{n // 60:02d}:{n % 60:02d}.000Z", "1"))
        api.rate_limit, api.fail_every = (2, 1.0), 2

        result = materialize_all(
            tmp_path,
            day.isoformat(),
            TWITTER_BEARER_TOKEN=TOKEN,
            TWITTER_API_BASE_URL=api.base_url,
        )

    assert result.returncode == 0, result.stderr[-5000:]
    assert 503 in api.statuses(), "the run should have retried"
    assert all(r["headers"]["Authorization"] == f"Bearer {TOKEN}" for r in api.requests)
    assert len(read_table(tmp_path / "lake", "silver/tweets")) == 250
    assert_nowhere(tmp_path, result.stdout + result.stderr)


def assert_nowhere(tmp_path: Path, output: str) -> None:
    """The token is in no file of the instance (event log, compute logs) or the lake, nor in
    the run's output."""
    home = tmp_path / "dagster_home"
    compute_logs = [path for path in home.rglob("compute_logs/*") if path.is_file()]
    assert compute_logs, "the run's compute logs should be there to search"
    searched = [p for p in [*home.rglob("*"), *(tmp_path / "lake").rglob("*")] if p.is_file()]
    for path in searched:
        assert TOKEN.encode() not in path.read_bytes(), path
    assert TOKEN not in output


@pytest.mark.parametrize(
    ("case", "succeeds"),
    [("trailing-newline", True), ("rejected-401", False), ("retries-spent", False)],
)
def test_the_token_leaks_nowhere_when_it_ends_in_a_newline_is_refused_or_retries_run_out(
    tmp_path: Path, case: str, succeeds: bool
) -> None:
    day = (datetime.now(UTC) - timedelta(days=1)).date()
    # A 401: the API holds another token than the one the run sends.
    with FakeXApiServer(FakeXApi(token=TOKEN if case != "rejected-401" else "other")) as api:
        api.users["1"] = make_user("1", "ana")
        api.add(make_tweet("700", f"{day}T10:00:00.000Z", "1"))
        if case == "retries-spent":
            api.fail_every = 1
        result = materialize_all(
            tmp_path,
            day.isoformat(),
            # as read from a secrets file
            TWITTER_BEARER_TOKEN=f"{TOKEN}\n" if case == "trailing-newline" else TOKEN,
            TWITTER_API_BASE_URL=api.base_url,
            TWITTER_MAX_TRIES="2",
            TWITTER_MAX_RETRY_SECONDS="2",
        )

    assert (result.returncode == 0) is succeeds, result.stderr[-3000:]
    if succeeds:
        assert all(r["headers"]["Authorization"] == f"Bearer {TOKEN}" for r in api.requests)
        assert len(read_table(tmp_path / "lake", "silver/tweets")) == 1
    else:
        assert {"rejected-401": 401, "retries-spent": 503}[case] in api.statuses()
    assert_nowhere(tmp_path, result.stdout + result.stderr)
