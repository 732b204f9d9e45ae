"""silver_tweets and silver_users: typed, deduplicated Parquet tables per UTC day, made by one
step from one parse of bronze.

Parsing the pages' JSON is the costliest thing silver does (a million-post day is about 600 MB
of it), so the step parses each day once: the parsed pages stay in Spark's cache for the step,
and silver_tweets, silver_users and the check of silver_tweets against bronze's post ids all
read them there. A selection of one of the tables runs the step for that table alone.
"""

from collections.abc import Iterator, Mapping
from datetime import date

import dagster as dg
from pyspark.sql import DataFrame, Observation
from pyspark.sql import functions as F

from tweet_assets.assets.daily import daily_assets
from tweet_assets.assets.verdicts import day_verdict, latest_records, verdict_targets
from tweet_assets.lake import WithMetadata, parsed_as_json
from tweet_assets.partitions import daily_partitions, days_in_window
from tweet_assets.transforms.checks import bronze_post_ids
from tweet_assets.transforms.silver import (
    PAGE_SCHEMA,
    WITHOUT_METRICS,
    parsed_once,
    tweets_from_pages,
    users_from_pages,
)

TWEETS, USERS = dg.AssetKey("silver_tweets"), dg.AssetKey("silver_users")
MATCH_BRONZE_IDS = "silver_tweets_match_bronze_ids"
# Bronze read straight into typed pages by Spark's JSON reader (schema-on-read).
BRONZE_PAGES = dg.AssetIn("bronze_tweets", metadata=parsed_as_json(PAGE_SCHEMA))


def _bad_records(bad: Observation) -> dict:
    """The metadata of silver_tweets' bad records, observed while its rows were written."""
    counts = dict(bad.get)
    without_metrics = counts.pop(WITHOUT_METRICS)
    return {
        "bad_records": sum(counts.values()),
        # reason → count, for the reasons that occurred (BAD_RECORD_REASONS says each)
        "bad_records_by_reason": {reason: count for reason, count in counts.items() if count},
        # kept, with unknown (null) counts: gold's sums leave them out rather than add zeros
        WITHOUT_METRICS: without_metrics,
    }


def _rows_by_day(days: list[date]) -> list:
    return [F.count_if(F.col("date") == F.lit(day)).alias(day.isoformat()) for day in days]


@daily_assets(
    "silver",
    "silver",
    kinds={"spark", "parquet"},
    descriptions={
        "silver_tweets": (
            "One row per post and day: ids, author, conversation, reply target, UTC "
            "created_at, language, text, public metrics, hashtags, mentions, links and the "
            "type of its first reference, typed; a post seen twice is kept once (the copy "
            "with the highest counts). Bad records never fail the day: each is counted in "
            "`bad_records` (see transforms.silver.BAD_RECORD_REASONS)."
        ),
        "silver_users": (
            "One row per author and day: name, username, account creation time, verified "
            "and follower counts; an author seen twice is kept once."
        ),
    },
    ins={"bronze_tweets": BRONZE_PAGES},
    check_specs=[
        dg.AssetCheckSpec(
            MATCH_BRONZE_IDS,
            asset=TWEETS,
            partitions_def=daily_partitions,
            description=(
                "Silver holds exactly one row per distinct post id of the day's bronze pages "
                "(of the posts that can be placed on the day: see BAD_RECORD_REASONS). "
                "Evaluated in silver's step, on the same parse of bronze."
            ),
        )
    ],
)
def silver(
    context: dg.AssetExecutionContext, bronze_tweets: DataFrame
) -> Iterator[dg.Output | dg.AssetCheckEvaluation]:
    """Both silver tables of the run's days, and the check of silver_tweets against bronze,
    from one parse of the days' pages."""
    days = days_in_window(context.partition_time_window)
    check = dg.AssetCheckKey(TWEETS, MATCH_BRONZE_IDS)
    making = context.selected_asset_keys
    checking = check in context.selected_asset_check_keys
    # The Spark jobs that read the pages: each table's write, and the check's count of bronze's
    # ids. With more than one, the first parses the JSON and the others read the parsed pages.
    readers = len(making) + checking
    pages = parsed_once(bronze_tweets) if readers > 1 else bronze_tweets
    try:
        rows: dict[str, int] = {}  # silver_tweets' rows by day, counted as they were written
        if TWEETS in making:
            bad, written = Observation("bad_records"), Observation("silver_rows")
            tweets = tweets_from_pages(pages, bad).observe(written, *_rows_by_day(days))
            yield dg.Output(
                WithMetadata(tweets, lambda: _bad_records(bad)), output_name="silver_tweets"
            )
            rows = dict(written.get)
        if USERS in making:
            yield dg.Output(users_from_pages(pages), output_name="silver_users")
        if checking:
            if TWEETS not in making:  # the check alone: the rows silver_tweets' writes counted
                rows = _rows_in_lake(context.instance, days)
            yield from _match_bronze_ids(context, check, pages, rows, days)
    finally:
        if readers > 1:
            pages.unpersist()


def _rows_in_lake(instance: dg.DagsterInstance, days: list[date]) -> dict[str, int]:
    """silver_tweets' rows of each of `days`, as the write of the day's latest materialization
    counted them (its `rows_by_day`); a day never materialized has none."""
    labels = [day.isoformat() for day in days]
    rows = {}
    for day, record in latest_records(instance, TWEETS, labels).items():
        materialization = record.asset_materialization
        by_day = materialization.metadata.get("rows_by_day") if materialization else None
        counted = by_day.value if isinstance(by_day, dg.JsonMetadataValue) else None
        rows[day] = counted.get(day, 0) if isinstance(counted, Mapping) else 0
    return rows


def _match_bronze_ids(
    context: dg.AssetExecutionContext,
    check: dg.AssetCheckKey,
    pages: DataFrame,
    rows: dict[str, int],
    days: list[date],
) -> Iterator[dg.Output | dg.AssetCheckEvaluation]:
    """A verdict per day: silver_tweets' `rows` that day equal the distinct post ids of
    bronze's `pages`; then the check's own output."""
    ids = {row["date"].isoformat(): row["ids"] for row in bronze_post_ids(pages).collect()}
    targets = verdict_targets(context, TWEETS)
    for day in (day.isoformat() for day in days):
        bronze_ids, silver_rows = ids.get(day, 0), rows.get(day, 0)
        passed = bronze_ids == silver_rows
        problem = f"silver rows differ from bronze's post ids ({silver_rows} rows, {bronze_ids})"
        yield day_verdict(
            check,
            day,
            targets,
            passed=passed,
            metadata={
                "problems": [] if passed else [problem],
                "silver_rows": silver_rows,
                "bronze_post_ids": bronze_ids,
            },
            description=None if passed else f"{day}: {problem}",
        )
    yield dg.Output(None, output_name=context.assets_def.get_output_name_for_asset_check_key(check))
