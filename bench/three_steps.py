"""tweet-lake's definitions plus `three_steps`: bronze_tweets -> silver_tweets -> gold_daily_counts
without their checks, the 3-step run bench/connect.py times with either executor."""

import dagster as dg

from tweet_assets import definitions

three_steps = dg.define_asset_job(
    "three_steps",
    selection=dg.AssetSelection.assets(
        "bronze_tweets", "silver_tweets", "gold_daily_counts"
    ).without_checks(),
)

defs = dg.Definitions(
    assets=definitions.defs.assets,
    asset_checks=definitions.defs.asset_checks,
    jobs=[three_steps],
    resources=definitions.defs.resources,
    executor=definitions.defs.executor,
)
