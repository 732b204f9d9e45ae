"""The daily job over the whole medallion and the schedule that runs it for yesterday."""

import dagster as dg

tweets_daily_job = dg.define_asset_job(
    "tweets_daily_job",
    selection=dg.AssetSelection.groups("bronze", "silver", "gold"),
    description="Fetch, refine and count one UTC day of posts (or a range, as one run).",
)

# A daily-partitioned schedule asks for the latest complete partition: at 00:15 UTC that is
# yesterday, the first day the API can no longer add posts to.
tweets_daily_schedule = dg.build_schedule_from_partitioned_job(
    tweets_daily_job, name="tweets_daily_schedule", hour_of_day=0, minute_of_hour=15
)
