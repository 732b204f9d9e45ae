"""gold_daily_counts: the day-level numbers analysts chart, and whether each day is complete."""

import dagster as dg
from pyspark.sql import DataFrame, Row

from tweet_assets.assets.daily import daily_asset
from tweet_assets.lake import fetch_records
from tweet_assets.partitions import days_in_window
from tweet_assets.transforms.gold import GOLD_COLUMNS, daily_rows
from tweet_assets.transforms.rules import BLOCKING_RULES

PLOTTED = ["tweets", "authors", "like_count", "expected_tweets"]
# The days' fetch records (lake.fetch_records) rather than bronze's pages.
FETCH_RECORDS = dg.AssetIn("bronze_tweets", metadata=fetch_records())


def refuse_broken_days(rows: list[Row]) -> None:
    """Fail, before anything is written, when a silver day of the run breaks a blocking rule
    (`rows` from transforms.gold.daily_rows), whether or not silver's checks ran in this run."""
    problems = {
        row["date"].isoformat(): [text for flag, text in BLOCKING_RULES.items() if row[flag]]
        for row in rows
        if any(row[flag] for flag in BLOCKING_RULES)
    }
    if problems:
        days = "; ".join(f"{day}: {', '.join(why)}" for day, why in sorted(problems.items()))
        raise dg.Failure(
            description=(
                f"gold_daily_counts refuses silver_tweets days that break a blocking rule "
                f"({days}). Nothing was written. Fix the source or silver, re-materialize "
                f"silver_tweets for {', '.join(sorted(problems))} and its checks, then gold."
            ),
            metadata={"refused_days": problems},
        )


@daily_asset("gold", kinds={"spark", "parquet"}, ins={"bronze_tweets": FETCH_RECORDS})
def gold_daily_counts(
    context: dg.AssetExecutionContext, silver_tweets: DataFrame, bronze_tweets: DataFrame
) -> dg.Output:
    """One row per UTC day (zeros for a day without posts): weekday, distinct tweets, authors
    and conversations, replies, the day's retweet, reply, like and quote sums (null when no
    post had the metric), and the day's completeness: `expected_tweets` (the API's own count),
    `fetched_at` (UTC) and `complete` (see transforms.gold.daily_counts).

    Refuses, writing nothing, a run with a silver day that breaks a blocking rule."""
    # A few rows, computed once: checked and read here, then written by the IO manager.
    computed = daily_rows(
        silver_tweets, days_in_window(context.partition_time_window), bronze_tweets
    ).localCheckpoint()
    rows = computed.collect()
    refuse_broken_days(rows)
    counts = computed.select(*GOLD_COLUMNS)
    by_day = {row["date"].isoformat(): {name: row[name] for name in PLOTTED} for row in rows}
    incomplete = sorted(row["date"].isoformat() for row in rows if not row["complete"])
    metadata: dict = {"numbers_by_day": by_day, "incomplete_days": incomplete}
    if len(by_day) == 1:
        # Numeric metadata of single-day runs is what Dagit's Plots tab charts per partition.
        [numbers] = by_day.values()
        metadata.update({name: value for name, value in numbers.items() if value is not None})
        metadata["complete"] = not incomplete
    else:
        metadata["plots"] = (
            "a range run gives all its partitions the same metadata, so the per-day numbers are "
            "in numbers_by_day rather than in plottable fields"
        )
    if incomplete:
        context.log.warning(
            f"{len(incomplete)} of {len(rows)} days are not complete (see bronze_tweets_complete): "
            + ", ".join(incomplete)
        )
    return dg.Output(counts, metadata=metadata)
