"""The gold tables: gold_daily_counts, the day-level numbers analysts chart (the tracked
account's engagement among them) and whether each day is complete; gold_daily_hashtags, what
people posted about each day."""

from collections.abc import Mapping

import dagster as dg
from pyspark.sql import DataFrame, Row

from tweet_assets.assets.daily import daily_asset
from tweet_assets.lake import fetch_records
from tweet_assets.partitions import days_in_window
from tweet_assets.transforms.gold import (
    ACCOUNT_COLUMNS,
    GOLD_COLUMNS,
    daily_hashtags,
    daily_rows,
    hashtag_leaders,
)
from tweet_assets.transforms.rules import BLOCKING_RULES, rule_breaks

PLOTTED = ["tweets", "authors", "like_count", "expected_tweets", *ACCOUNT_COLUMNS]
# The days' fetch records (lake.fetch_records) rather than bronze's pages.
FETCH_RECORDS = dg.AssetIn("bronze_tweets", metadata=fetch_records())
TOP_HASHTAGS = 10


def refuse_broken_days(
    rows: list[Row], asset: str, rules: Mapping[str, str] = BLOCKING_RULES
) -> None:
    """Fail, before `asset` writes anything, when a silver day of the run breaks one of `rules`
    (`rows`: `date` and a boolean per rule), whether or not silver's checks ran in this run."""
    problems = {
        row["date"].isoformat(): [text for flag, text in rules.items() if row[flag]]
        for row in rows
        if any(row[flag] for flag in rules)
    }
    if problems:
        days = "; ".join(f"{day}: {', '.join(why)}" for day, why in sorted(problems.items()))
        raise dg.Failure(
            description=(
                f"{asset} refuses silver_tweets days that break a blocking rule "
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
    post had the metric), the day's completeness: `expected_tweets` (the API's own count),
    `fetched_at` (UTC) and `complete`, and the tracked account's `account_posts`,
    `account_replies` and `account_conversation_posts` (see transforms.gold.daily_counts).

    Refuses, writing nothing, a run with a silver day that breaks a blocking rule."""
    # A few rows, computed once: checked and read here, then written by the IO manager.
    computed = daily_rows(
        silver_tweets, days_in_window(context.partition_time_window), bronze_tweets
    ).localCheckpoint()
    rows = computed.collect()
    refuse_broken_days(rows, "gold_daily_counts")
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


@daily_asset("gold", kinds={"spark", "parquet"})
def gold_daily_hashtags(context: dg.AssetExecutionContext, silver_tweets: DataFrame) -> dg.Output:
    """One row per hashtag used each UTC day: `hashtag` (lower-cased), `tweets` (distinct posts
    using it), `authors` (distinct authors) and `like_count` (the sum over those posts; null
    when none had metrics). The day's top hashtags are in the materialization's metadata.

    Refuses, writing nothing, a run with a silver day that breaks a blocking rule."""
    days = [day.isoformat() for day in days_in_window(context.partition_time_window)]
    refuse_broken_days(rule_breaks(silver_tweets).collect(), "gold_daily_hashtags")
    hashtags = daily_hashtags(silver_tweets).localCheckpoint()
    # Only each day's leaders reach Python (a day can use tens of thousands of hashtags).
    leaders = hashtag_leaders(hashtags, TOP_HASHTAGS).collect()
    top: dict[str, list[dict]] = {day: [] for day in days}
    used = {day: 0 for day in days}
    for row in leaders:
        day = row["date"].isoformat()
        top[day].append({"hashtag": row["hashtag"], "tweets": row["tweets"]})
        used[day] = row["used"]
    metadata: dict = {"top_hashtags_by_day": top}
    if len(days) == 1:
        [day_leaders] = top.values()
        metadata["top_hashtags"] = dg.MetadataValue.md(
            "| hashtag | posts |\n|---|---|\n"
            + "".join(f"| #{row['hashtag']} | {row['tweets']:,} |\n" for row in day_leaders)
            if day_leaders
            else "no hashtags this day"
        )
        [metadata["hashtags_used"]] = used.values()
    return dg.Output(hashtags, metadata=metadata)
