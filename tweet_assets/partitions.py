"""The one partitioning every tweet-lake asset shares: UTC calendar days."""

from datetime import UTC, date, datetime, timedelta

import dagster as dg

daily_partitions = dg.DailyPartitionsDefinition(start_date="2026-01-01", timezone="UTC")


def days_in_window(window: dg.TimeWindow) -> list[date]:
    """The UTC days a partition time window covers, oldest first ([start, end))."""
    first = window.start.astimezone(UTC).date()
    last = window.end.astimezone(UTC).date()
    return [first + timedelta(days=offset) for offset in range((last - first).days)]


def day_bounds(day: date) -> tuple[datetime, datetime]:
    """[00:00:00Z of the day, 00:00:00Z of the next day), the interval one partition holds."""
    start = datetime(day.year, day.month, day.day, tzinfo=UTC)
    return start, start + timedelta(days=1)
