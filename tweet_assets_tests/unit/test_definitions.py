import importlib.util
import subprocess
from datetime import UTC, date, datetime, time, timedelta, timezone
from pathlib import Path
from typing import Any

import dagster as dg
import pytest

from tweet_assets import settings
from tweet_assets.definitions import defs
from tweet_assets.partitions import daily_partitions, day_bounds
from tweet_assets.schedules import tweets_daily_schedule
from tweet_assets.source import XApiClient, XApiError

ASSET_KEYS = {
    "bronze_tweets",
    "silver_tweets",
    "silver_users",
    "gold_daily_counts",
    "gold_daily_hashtags",
}


def asset_graph() -> dict[str, set[str]]:
    graph = defs.resolve_asset_graph()
    return {
        key.to_user_string(): {parent.to_user_string() for parent in graph.get(key).parent_keys}
        for key in graph.get_all_asset_keys()
    }


def test_definitions_hold_exactly_the_medallion_and_its_lineage() -> None:
    assert asset_graph() == {
        "bronze_tweets": set(),
        "silver_tweets": {"bronze_tweets"},
        "silver_users": {"bronze_tweets"},
        # gold reads bronze's fetch records of its days
        "gold_daily_counts": {"silver_tweets", "bronze_tweets"},
        "gold_daily_hashtags": {"silver_tweets"},
    }


@pytest.mark.parametrize("key", sorted(ASSET_KEYS))
def test_every_asset_is_daily_in_utc_and_backfills_in_one_run(key: str) -> None:
    node = defs.resolve_asset_graph().get(dg.AssetKey(key))

    assert node.partitions_def == daily_partitions
    assert daily_partitions.timezone == "UTC"
    assert daily_partitions.start <= datetime(2026, 1, 1, tzinfo=UTC)
    assert node.backfill_policy == dg.BackfillPolicy.single_run()
    assert node.description


def test_daily_job_selects_the_whole_medallion() -> None:
    job = defs.resolve_job_def("tweets_daily_job")

    assert {key.to_user_string() for key in job.asset_layer.executable_asset_keys} == ASSET_KEYS
    assert job.partitions_def == daily_partitions


def evaluate(
    schedule: dg.ScheduleDefinition, tick: datetime, instance: dg.DagsterInstance | None = None
) -> Any:  # dagster's ScheduleExecutionData, not exported
    with (
        dg.instance_for_test() as ephemeral,
        dg.build_schedule_context(
            instance=instance or ephemeral,
            scheduled_execution_time=tick,
            repository_def=defs.get_repository_def(),
        ) as context,
    ):
        return schedule.evaluate_tick(context)


@pytest.mark.parametrize(
    ("tick", "yesterday"),
    [
        (datetime(2026, 11, 28, 0, 15, tzinfo=UTC), "2026-11-27"),
        (datetime(2026, 3, 1, 0, 15, tzinfo=UTC), "2026-02-28"),
        # a tick given in another zone still means the UTC day before it
        (
            datetime(2026, 11, 28, 0, 15, tzinfo=UTC).astimezone(timezone(timedelta(hours=-5))),
            "2026-11-27",
        ),
    ],
)
def test_schedule_materializes_yesterday_shortly_after_midnight_utc(
    tick: datetime, yesterday: str
) -> None:
    schedule = defs.resolve_schedule_def("tweets_daily_schedule")

    [run_request] = evaluate(schedule, tick).run_requests or []

    assert schedule.cron_schedule == "15 0 * * *"
    assert schedule.execution_timezone == "UTC"
    assert schedule.default_status == dg.DefaultScheduleStatus.STOPPED
    assert run_request.partition_key == yesterday
    # one run per day, however often the cron fires
    assert run_request.run_key == yesterday
    assert schedule.job_name == "tweets_daily_job"


def test_schedule_cron_and_starting_state_come_from_the_environment() -> None:
    schedule = tweets_daily_schedule("* * * * *", True)

    assert schedule.cron_schedule == "* * * * *"
    assert schedule.default_status == dg.DefaultScheduleStatus.RUNNING
    [run_request] = evaluate(schedule, datetime(2026, 11, 28, 13, 7, tzinfo=UTC)).run_requests or []
    assert run_request.partition_key == "2026-11-27"


def test_a_day_the_schedule_already_ran_is_skipped_at_every_later_tick() -> None:
    """Dagster matches a schedule's run key only within one tick: the day's run is looked up."""
    schedule = defs.resolve_schedule_def("tweets_daily_schedule")
    with dg.instance_for_test() as instance:
        instance.add_run(
            dg.DagsterRun(
                job_name="tweets_daily_job",
                tags={"dagster/schedule_name": schedule.name, "dagster/partition": "2026-11-27"},
            )
        )

        later_tick = evaluate(schedule, datetime(2026, 11, 28, 0, 16, tzinfo=UTC), instance)
        next_day = evaluate(schedule, datetime(2026, 11, 29, 0, 15, tzinfo=UTC), instance)

    assert later_tick.run_requests == []
    assert "2026-11-27 already has run" in (later_tick.skip_message or "")
    assert [request.partition_key for request in next_day.run_requests or []] == ["2026-11-28"]


def test_a_refresh_window_asks_for_the_latest_days_as_one_run() -> None:
    config = settings.load({"TWEETS_REFRESH_DAYS": "3"})
    schedule = tweets_daily_schedule(
        config.schedule_cron, config.schedule_running, config.refresh_days
    )

    result = evaluate(schedule, datetime(2026, 11, 20, 0, 15, tzinfo=UTC))

    [run_request] = result.run_requests or []
    assert run_request.partition_key is None
    assert run_request.tags["dagster/asset_partition_range_start"] == "2026-11-17"
    assert run_request.tags["dagster/asset_partition_range_end"] == "2026-11-19"
    assert run_request.run_key == "2026-11-17...2026-11-19"
    # scheduled runs are retried by the daemon (where the instance enables run retries)
    assert run_request.tags["dagster/max_retries"] == "3"


def test_a_refresh_window_runs_once_a_day_however_often_the_cron_fires() -> None:
    schedule = tweets_daily_schedule("* * * * *", False, refresh_days=3)
    with dg.instance_for_test() as instance:
        first = evaluate(schedule, datetime(2026, 11, 20, 0, 15, tzinfo=UTC), instance)
        [request] = first.run_requests or []
        instance.add_run(
            dg.DagsterRun(
                job_name="tweets_daily_job",
                tags={"dagster/schedule_name": schedule.name, **request.tags},
            )
        )

        again = evaluate(schedule, datetime(2026, 11, 20, 0, 16, tzinfo=UTC), instance)
        next_day = evaluate(schedule, datetime(2026, 11, 21, 0, 15, tzinfo=UTC), instance)

    assert again.run_requests == []
    [tomorrow] = next_day.run_requests or []
    assert tomorrow.tags["dagster/asset_partition_range_start"] == "2026-11-18"


def make_instance(home: Path) -> None:
    subprocess.run(
        ["make", "-s", f"DAGSTER_HOME={home}", f"{home}/dagster.yaml"],
        cwd=Path(__file__).resolve().parents[2],
        check=True,
    )


def test_the_make_targets_instance_retries_scheduled_runs_only_and_queues_runs_by_day(
    tmp_path: Path,
) -> None:
    make_instance(tmp_path / "home")

    with dg.DagsterInstance.from_config(str(tmp_path / "home")) as instance:
        assert instance.run_retries_enabled
        # runs without the schedule's dagster/max_retries tag are not retried
        assert instance.run_retries_max_retries == 0
        # the queue starts one run of a day at a time (a URI lake has no lake-side locks)
        queue = instance.get_concurrency_config().run_queue_config
        assert queue is not None and queue.tag_concurrency_limits == [
            {"key": "dagster/partition", "value": {"applyLimitPerUniqueValue": True}, "limit": 1}
        ]


def test_an_older_instance_gains_run_retries_and_keeps_its_own_settings(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    # an instance written before run retries, edited by its user, without a final newline
    (home / "dagster.yaml").write_text(
        "telemetry:\n  enabled: false\nrun_monitoring:\n  enabled: true"
    )

    make_instance(home)
    make_instance(home)

    text = (home / "dagster.yaml").read_text()
    assert text.count("run_retries:") == 1 and text.count("freshness:") == 1
    with dg.DagsterInstance.from_config(str(home)) as instance:
        assert instance.run_retries_enabled and instance.run_monitoring_enabled


def test_a_cron_dagster_refuses_is_named_with_its_fix() -> None:
    with pytest.raises(ValueError, match=r"TWEETS_SCHEDULE_CRON='61 \* \* \* \*' is not a cron"):
        tweets_daily_schedule("61 * * * *", False)


@pytest.mark.parametrize("key", sorted(ASSET_KEYS))
def test_every_asset_is_flagged_when_not_materialized_by_three_utc(key: str) -> None:
    spec = defs.resolve_assets_def(key).specs_by_key[dg.AssetKey(key)]

    assert spec.freshness_policy == dg.FreshnessPolicy.cron(
        deadline_cron="0 3 * * *", lower_bound_delta=timedelta(hours=3), timezone="UTC"
    )


def test_only_the_row_checks_of_silver_tweets_block() -> None:
    graph = defs.resolve_asset_graph()

    blocking = {key.name for key in graph.asset_check_keys if graph.get_check_spec(key).blocking}
    assert blocking == {
        "silver_tweets_keys_unique_and_present",
        "silver_tweets_created_inside_their_day",
    }
    assert len(graph.asset_check_keys) == 7  # with bronze_tweets_complete, which warns


def test_steps_share_one_process() -> None:
    assert defs.resolve_implicit_global_asset_job_def().executor_def is dg.in_process_executor


def test_the_benchs_three_step_job_resolves_to_its_three_steps() -> None:
    # bench/connect.py times this job; a check spec that cannot be left out breaks it
    spec = importlib.util.spec_from_file_location(
        "three_steps", Path(__file__).resolve().parents[2] / "bench" / "three_steps.py"
    )
    assert spec and spec.loader
    three_steps = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(three_steps)

    job = three_steps.defs.resolve_job_def("three_steps")

    assert sorted(job.graph.node_dict) == ["bronze_tweets", "gold_daily_counts", "silver"]


@pytest.mark.parametrize("tick_time", [time(0, 15), time(23, 59)], ids=["00:15", "23:59"])
def test_the_largest_refresh_window_the_settings_accept_is_served_at_any_tick(
    tick_time: time,
) -> None:
    """The days a tick of the widest accepted window asks for pass the real client's window
    check at the tick; one day more would not (which is why the settings stop there)."""
    widest = settings.MAX_RECENT_REFRESH
    assert settings.load({"TWEETS_REFRESH_DAYS": str(widest)}).refresh_days == widest
    with pytest.raises(settings.SettingsError):
        settings.load({"TWEETS_REFRESH_DAYS": str(widest + 1)})
    tick = datetime.combine(date(2026, 11, 20), tick_time, tzinfo=UTC)
    client = XApiClient("https://api.twitter.com/2", "a-token", endpoint="recent")
    # the run starts a little after its tick
    starts = tick + timedelta(minutes=1)

    for refresh, served in ((widest, True), (widest + 1, False)):
        schedule = tweets_daily_schedule("* * * * *", running=False, refresh_days=refresh)
        [request] = evaluate(schedule, tick).run_requests or []
        first = date.fromisoformat(request.tags["dagster/asset_partition_range_start"])
        last = date.fromisoformat(request.tags["dagster/asset_partition_range_end"])
        if served:
            for offset in range((last - first).days + 1):
                day = first + timedelta(days=offset)
                client.check_window(day.isoformat(), *day_bounds(day), now=starts)
        else:
            with pytest.raises(XApiError, match="outside the recent-search window"):
                client.check_window(first.isoformat(), *day_bounds(first), now=starts)
