"""The daily job over the whole medallion and the schedule that runs it for yesterday."""

from datetime import UTC, datetime, timedelta

import dagster as dg

from tweet_assets.settings import DEFAULT_SCHEDULE_CRON, SCHEDULE_CRON

tweets_daily_job = dg.define_asset_job(
    "tweets_daily_job",
    selection=dg.AssetSelection.groups("bronze", "silver", "gold"),
    description="Fetch, refine and count one UTC day of posts (or a range, as one run).",
)


def tweets_daily_schedule(cron: str, running: bool) -> dg.ScheduleDefinition:
    """`tweets_daily_job` for the latest complete UTC day, at `cron` (UTC).

    Each tick asks for one day with the day as run key, so however often the cron fires, the
    schedule starts one run per day. `running` is the state a fresh instance starts it in; once
    it is turned on or off in Dagit (or `dagster schedule start|stop`), the instance keeps that.
    At the default 00:15 UTC the latest complete day is yesterday, the first day the API can no
    longer add posts to.
    """

    def latest_complete_day(context: dg.ScheduleEvaluationContext) -> dg.RunRequest:
        now = context.scheduled_execution_time or datetime.now(UTC)
        day = (now.astimezone(UTC).date() - timedelta(days=1)).isoformat()
        return dg.RunRequest(run_key=day, partition_key=day)

    try:
        return dg.ScheduleDefinition(
            name="tweets_daily_schedule",
            job=tweets_daily_job,
            cron_schedule=cron,
            execution_timezone="UTC",
            execution_fn=latest_complete_day,
            default_status=(
                dg.DefaultScheduleStatus.RUNNING if running else dg.DefaultScheduleStatus.STOPPED
            ),
            description="Materializes the latest complete UTC day (yesterday) once a day.",
        )
    except dg.DagsterInvalidDefinitionError:
        raise ValueError(
            f"{SCHEDULE_CRON}={cron!r} is not a cron expression: give five fields, read in "
            f"UTC, e.g. {DEFAULT_SCHEDULE_CRON!r} (00:15 every day), or unset it."
        ) from None
