"""The one partitioning every tweet-lake asset shares: UTC calendar days, and when one is due."""

from datetime import UTC, date, datetime, timedelta

import dagster as dg

daily_partitions = dg.DailyPartitionsDefinition(start_date="2026-01-01", timezone="UTC")

# The schedule materializes yesterday at 00:15 UTC; an asset not materialized between 00:00 and
# 03:00 UTC is flagged stale in Dagit (evaluated when the instance has `freshness: enabled`).
daily_freshness = dg.FreshnessPolicy.cron(
    deadline_cron="0 3 * * *", lower_bound_delta=timedelta(hours=3), timezone="UTC"
)


def days_in_window(window: dg.TimeWindow) -> list[date]:
    """The UTC days a partition time window covers, oldest first ([start, end))."""
    first = window.start.astimezone(UTC).date()
    last = window.end.astimezone(UTC).date()
    return [first + timedelta(days=offset) for offset in range((last - first).days)]


def day_bounds(day: date) -> tuple[datetime, datetime]:
    """[00:00:00Z of the day, 00:00:00Z of the next day), the interval one partition holds."""
    start = datetime(day.year, day.month, day.day, tzinfo=UTC)
    return start, start + timedelta(days=1)
