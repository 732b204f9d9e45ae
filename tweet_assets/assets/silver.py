"""silver_tweets and silver_users: typed, deduplicated Parquet tables per UTC day."""

import dagster as dg
from pyspark.sql import DataFrame, Observation

from tweet_assets.assets.daily import daily_asset
from tweet_assets.lake import WithMetadata, parsed_as_json
from tweet_assets.transforms.silver import (
    PAGE_SCHEMA,
    WITHOUT_METRICS,
    tweets_from_pages,
    users_from_pages,
)

# Bronze read straight into typed pages by Spark's JSON reader (schema-on-read).
BRONZE_PAGES = dg.AssetIn("bronze_tweets", metadata=parsed_as_json(PAGE_SCHEMA))


@daily_asset("silver", kinds={"spark", "parquet"}, ins={"bronze_tweets": BRONZE_PAGES})
def silver_tweets(bronze_tweets: DataFrame) -> WithMetadata:
    """One row per post and day: ids, author, conversation, reply target, UTC created_at,
    language, text and public metrics, typed; a post seen twice is kept once. Bad records never
    fail the day: each is counted in `bad_records` (see transforms.silver.BAD_RECORD_REASONS)."""
    bad = Observation("bad_records")

    def bad_records() -> dict:
        counts = dict(bad.get)
        without_metrics = counts.pop(WITHOUT_METRICS)
        return {
            "bad_records": sum(counts.values()),
            # reason → count, for the reasons that occurred (BAD_RECORD_REASONS says each)
            "bad_records_by_reason": {reason: count for reason, count in counts.items() if count},
            # kept, with unknown (null) counts: gold's sums leave them out rather than add zeros
            WITHOUT_METRICS: without_metrics,
        }

    return WithMetadata(tweets_from_pages(bronze_tweets, bad), bad_records)


@daily_asset("silver", kinds={"spark", "parquet"}, ins={"bronze_tweets": BRONZE_PAGES})
def silver_users(bronze_tweets: DataFrame) -> DataFrame:
    """One row per author and day: name, username, account creation time and follower counts."""
    return users_from_pages(bronze_tweets)
