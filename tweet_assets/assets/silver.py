"""silver_tweets and silver_users: typed, deduplicated Parquet tables per UTC day."""

from collections.abc import Callable
from typing import Any

import dagster as dg
from pyspark.sql import DataFrame, Observation

from tweet_assets.lake import WithMetadata, parsed_as_json
from tweet_assets.partitions import daily_freshness, daily_partitions
from tweet_assets.transforms.silver import PAGE_SCHEMA, tweets_from_pages, users_from_pages

# Bronze read straight into typed pages by Spark's JSON reader (schema-on-read).
BRONZE_PAGES = dg.AssetIn("bronze_tweets", metadata=parsed_as_json(PAGE_SCHEMA))


def _silver_asset() -> Callable[[Callable[..., Any]], dg.AssetsDefinition]:
    """What both silver tables share: the day partitions, one run per range, bronze's pages."""
    return dg.asset(
        partitions_def=daily_partitions,
        backfill_policy=dg.BackfillPolicy.single_run(),
        group_name="silver",
        kinds={"spark", "parquet"},
        owners=["team:data-engineering"],
        tags={"layer": "silver"},
        freshness_policy=daily_freshness,
        ins={"bronze_tweets": BRONZE_PAGES},
    )


@_silver_asset()
def silver_tweets(bronze_tweets: DataFrame) -> WithMetadata:
    """One row per post and day: ids, author, conversation, reply target, UTC created_at,
    language, text and public metrics, typed; a post seen twice is kept once. Bad records never
    fail the day: each is counted in `bad_records` (see transforms.silver.BAD_RECORD_REASONS)."""
    bad = Observation("bad_records")

    def bad_records() -> dict:
        counts = bad.get
        return {
            "bad_records": sum(counts.values()),
            # reason → count, for the reasons that occurred (BAD_RECORD_REASONS says each)
            "bad_records_by_reason": {reason: count for reason, count in counts.items() if count},
        }

    return WithMetadata(tweets_from_pages(bronze_tweets, bad), bad_records)


@_silver_asset()
def silver_users(bronze_tweets: DataFrame) -> DataFrame:
    """One row per author and day: name, username, account creation time and follower counts."""
    return users_from_pages(bronze_tweets)
