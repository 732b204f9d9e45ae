"""The bearer token reaches the API and nothing else: no log, event, file or output, on a real
instance whose runs the API refuses (401) or fails until the retries are spent.

The whole CLI run with a token read as from a secrets file, against an API that rate-limits
and fails now and then, is part of integration/test_dagster_cli.py's range run.
"""

from datetime import UTC, datetime, timedelta
from pathlib import Path

import dagster as dg
import pytest

from tweet_assets.settings import TOKEN as TOKEN_VARIABLE
from tweet_assets.source import TwitterResource
from tweet_assets_tests.support.dagster_cli import dagster_home
from tweet_assets_tests.support.fake_x_api import FakeXApi, FakeXApiServer, make_tweet, make_user
from tweet_assets_tests.support.pipeline import lake_text, materialize

TOKEN = "AAAAAAAAAAAAAAAAAAAAA-reliability-Zx81-DISTINCTIVE-%2Fsecret"


def assert_nowhere(tmp_path: Path, output: str) -> None:
    """The token is in no file of the instance (its event log) or the lake, nor in the run's
    output."""
    home = tmp_path / "dagster_home"
    searched = [p for p in [*home.rglob("*"), *(tmp_path / "lake").rglob("*")] if p.is_file()]
    assert any(path.name.endswith(".db") for path in searched), "the event log to search"
    for path in searched:
        assert TOKEN.encode() not in path.read_bytes(), path
    assert TOKEN not in lake_text(tmp_path / "lake")
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
    assert_nowhere(tmp_path, captured.out + captured.err + repr(events))
