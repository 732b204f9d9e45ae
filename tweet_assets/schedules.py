"""The daily job over the whole medallion and the schedule that runs it for yesterday (and,
with a refresh window, the days before it again); the weekly compaction of the lake's tables."""

from datetime import UTC, datetime, timedelta

import dagster as dg

from tweet_assets.assets import ASSETS
from tweet_assets.lake import MIN_RETAIN_DAYS
from tweet_assets.settings import DEFAULTS, SCHEDULE_CRON

RANGE_START, RANGE_END = "dagster/asset_partition_range_start", "dagster/asset_partition_range_end"
# Dagster's run retries (when the instance enables them) retry a scheduled run this many times:
# a day missed for 7 days is out of recent search's reach.
MAX_RETRIES = 3

NAME = "tweets_daily_schedule"

tweets_daily_job = dg.define_asset_job(
    "tweets_daily_job",
    selection=dg.AssetSelection.groups("bronze", "silver", "gold"),
    description="Fetch, refine and count one UTC day of posts (or a range, as one run).",
)


def tweets_daily_schedule(cron: str, running: bool, refresh_days: int = 1) -> dg.ScheduleDefinition:
    """`tweets_daily_job` for the latest complete UTC day, at `cron` (UTC); with
    `refresh_days` N > 1, for the latest N complete days as one run (one Spark session), each
    day replaced whole, so likes and reposts settle over the days after a post.

    Each tick asks for the latest complete day unless this schedule already started a run for
    it, so however often the cron fires, the schedule starts one run per day. `running` is the
    state a fresh instance starts it in; once it is turned on or off in Dagit (or `dagster
    schedule start|stop`), the instance keeps that.
    At the default 00:15 UTC the latest complete day is yesterday, the first day the API can no
    longer add posts to.
    """

    def latest_complete_day(
        context: dg.ScheduleEvaluationContext,
    ) -> dg.RunRequest | dg.SkipReason:
        now = context.scheduled_execution_time or datetime.now(UTC)
        latest = now.astimezone(UTC).date() - timedelta(days=1)
        day, first = latest.isoformat(), (latest - timedelta(days=refresh_days - 1)).isoformat()
        retries = {"dagster/max_retries": str(MAX_RETRIES), "dagster/retry_strategy": "ALL_STEPS"}
        # Dagster matches a schedule's run key only against runs of the same tick, so the day's
        # run is looked up here: a cron that fires again (or a slow run) never starts a second.
        key = {"dagster/partition": day} if refresh_days == 1 else {RANGE_END: day}
        earlier = context.instance.get_runs(
            filters=dg.RunsFilter(tags={"dagster/schedule_name": NAME, **key}), limit=1
        )
        if earlier:
            return dg.SkipReason(f"{day} already has run {earlier[0].run_id} from {NAME}")
        if refresh_days == 1:
            return dg.RunRequest(run_key=day, partition_key=day, tags=retries)
        return dg.RunRequest(
            run_key=f"{first}...{day}", tags={RANGE_START: first, RANGE_END: day, **retries}
        )

    try:
        return dg.ScheduleDefinition(
            name=NAME,
            job=tweets_daily_job,
            cron_schedule=cron,
            execution_timezone="UTC",
            execution_fn=latest_complete_day,
            default_status=(
                dg.DefaultScheduleStatus.RUNNING if running else dg.DefaultScheduleStatus.STOPPED
            ),
            description=(
                "Materializes the latest complete UTC day (yesterday) once a day"
                + (
                    f", and the {refresh_days - 1} days before it again."
                    if refresh_days > 1
                    else "."
                )
            ),
        )
    except dg.DagsterInvalidDefinitionError:
        raise ValueError(
            f"{SCHEDULE_CRON}={cron!r} is not a cron expression: give five fields, read in "
            f"UTC, e.g. {DEFAULTS.schedule_cron!r} (00:15 every day), or unset it."
        ) from None


# Weekly, Sunday 04:00 UTC (after the daily run), off until started in Dagit: compaction and
# vacuum of the Delta tables (lake.maintenance), keeping a week of time travel.
@dg.op(required_resource_keys={"io_manager"})
def optimize_lake_tables(context: dg.OpExecutionContext) -> None:
    """Compact each silver and gold Delta table's small files and vacuum old ones."""
    keys = [key for asset in ASSETS for key in asset.keys]
    for line in context.resources.io_manager.optimize(keys, MIN_RETAIN_DAYS):
        context.log.info(line)


@dg.job(description="Compact the lake's Delta tables and vacuum files older than a week.")
def lake_optimize_job() -> None:
    optimize_lake_tables()


lake_optimize_schedule = dg.ScheduleDefinition(
    name="lake_optimize_schedule",
    job=lake_optimize_job,
    cron_schedule="0 4 * * 0",
    execution_timezone="UTC",
    default_status=dg.DefaultScheduleStatus.STOPPED,
)
