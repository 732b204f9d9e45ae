"""`tweet-lake demo --days N` (`make demo`): the last N complete UTC days as one run of every
asset and check on the instance (DAGSTER_HOME), then gold_daily_counts of those days.

One process: the run's steps run in it (one Spark session), then gold is read with delta-rs,
so the demo starts Python, Dagster and the JVM once. The run is the one
`dagster asset materialize --select '*' --partition-range FIRST...LAST` would launch (the
asset job, its steps in this process); Dagit lists it with the rest.
"""

from datetime import UTC, datetime, timedelta

import dagster as dg

from tweet_assets import settings
from tweet_assets.cli.show import print_table
from tweet_assets.definitions import defs

# The run logs at INFO: a line per fetched day, the run's warnings and errors; Dagster's
# step-by-step DEBUG events stay in the instance's event log (Dagit shows them).
QUIET_RUN = {"loggers": {"console": {"config": {"log_level": "INFO"}}}}


def main(config: settings.Settings, days: int) -> None:
    if days < 1:
        raise SystemExit(f"tweet-lake demo: --days {days} is not a number of days; give 1 or more")
    today = datetime.now(UTC).date()
    first, last = today - timedelta(days=days), today - timedelta(days=1)
    source = "the X API" if config.token_set else "the offline demo corpus"
    print(f"Materializing {first}...{last} on {source}", flush=True)
    job = defs.resolve_implicit_global_asset_job_def()
    with dg.DagsterInstance.get() as instance:
        result = job.execute_in_process(
            instance=instance,
            run_config=QUIET_RUN,
            tags={
                "dagster/asset_partition_range_start": first.isoformat(),
                "dagster/asset_partition_range_end": last.isoformat(),
            },
            raise_on_error=False,
        )
    if not result.success:
        raise SystemExit(
            f"tweet-lake demo: the run {result.run_id} failed; its log is above, and in Dagit "
            "(make dev) under Runs"
        )
    print_table(config.lake_root, "gold_daily_counts", first, last)
