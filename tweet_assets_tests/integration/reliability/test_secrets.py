"""The bearer token reaches the API and nothing else: no log, event, compute log, file or output.

A whole CLI run against an API on 127.0.0.1 that rate-limits and fails now and then, so the
retry and back-off paths log too, with the token read as from a secrets file (a trailing
newline); then runs on a real instance that the API refuses (401) or fails until the retries
are spent.
"""

from datetime import UTC, datetime, timedelta
from pathlib import Path

import dagster as dg
import pytest

from tweet_assets.settings import TOKEN as TOKEN_VARIABLE
from tweet_assets.source import TwitterResource
from tweet_assets_tests.support.dagster_cli import dagster_home, materialize_all
from tweet_assets_tests.support.fake_x_api import FakeXApi, FakeXApiServer, make_tweet, make_user
from tweet_assets_tests.support.pipeline import materialize, read_table

TOKEN = "AAAAAAAAAAAAAAAAAAAAA-reliability-Zx81-DISTINCTIVE-%2Fsecret"


@pytest.mark.cli
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
            # as read from a secrets file: with a trailing newline
            TWITTER_BEARER_TOKEN=f"{TOKEN}\n",
            TWITTER_API_BASE_URL=api.base_url,
        )

    assert result.returncode == 0, result.stderr[-5000:]
    assert 503 in api.statuses(), "the run should have retried"
    assert all(r["headers"]["Authorization"] == f"Bearer {TOKEN}" for r in api.requests)
    assert len(read_table(tmp_path / "lake", "silver/tweets")) == 250
    assert_nowhere(tmp_path, result.stdout + result.stderr, compute_logs=True)


def assert_nowhere(tmp_path: Path, output: str, compute_logs: bool) -> None:
    """The token is in no file of the instance (event log, compute logs) or the lake, nor in
    the run's output."""
    home = tmp_path / "dagster_home"
    if compute_logs:
        written = [path for path in home.rglob("compute_logs/*") if path.is_file()]
        assert written, "the run's compute logs should be there to search"
    searched = [p for p in [*home.rglob("*"), *(tmp_path / "lake").rglob("*")] if p.is_file()]
    assert any(path.name.endswith(".db") for path in searched), "the event log to search"
    for path in searched:
        assert TOKEN.encode() not in path.read_bytes(), path
    assert TOKEN not in output


@pytest.mark.usefixtures("spark")
@pytest.mark.parametrize("case", ["rejected-401", "retries-spent"])
def test_the_token_leaks_nowhere_when_it_is_refused_or_retries_run_out(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture, case: str
) -> None:
    day = (datetime.now(UTC) - timedelta(days=1)).date()
    monkeypatch.setenv(TOKEN_VARIABLE, TOKEN)
    # A 401: the API holds another token than the one the run sends.
    with (
        FakeXApiServer(FakeXApi(token=TOKEN if case != "rejected-401" else "other")) as api,
        dg.DagsterInstance.from_config(str(dagster_home(tmp_path / "dagster_home"))) as instance,
    ):
        api.users["1"] = make_user("1", "ana")
        api.add(make_tweet("700", f"{day}T10:00:00.000Z", "1"))
        if case == "retries-spent":
            api.fail_every = 1
        twitter = TwitterResource(
            bearer_token=dg.EnvVar(TOKEN_VARIABLE),
            api_base_url=api.base_url,
            max_tries=2,
            max_retry_seconds=2,
        )
        result = materialize(
            tmp_path / "lake", twitter, day.isoformat(), raise_on_error=False, instance=instance
        )
        events = instance.get_records_for_run(result.run_id).records

    assert not result.success
    assert {"rejected-401": 401, "retries-spent": 503}[case] in api.statuses()
    assert any(
        e.event_log_entry.dagster_event_type == dg.DagsterEventType.STEP_FAILURE for e in events
    )
    captured = capfd.readouterr()
    assert_nowhere(tmp_path, captured.out + captured.err + repr(events), compute_logs=False)
