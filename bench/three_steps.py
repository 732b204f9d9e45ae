"""tweet-lake's definitions plus `three_steps`: bronze_tweets -> silver_tweets -> gold_daily_counts
without the checks that are steps of their own, the 3-step run bench/connect.py times with
either executor. bronze_tweets_complete comes along: bronze's own step evaluates it, and Dagster
runs bronze_tweets only with it."""

import dagster as dg

from tweet_assets import definitions

STEPS = dg.AssetSelection.assets("bronze_tweets", "silver_tweets", "gold_daily_counts")
IN_BRONZES_STEP = dg.AssetSelection.checks(
    dg.AssetCheckKey(dg.AssetKey("bronze_tweets"), "bronze_tweets_complete")
)
three_steps = dg.define_asset_job("three_steps", selection=STEPS.without_checks() | IN_BRONZES_STEP)

defs = dg.Definitions(
    assets=definitions.defs.assets,
    asset_checks=definitions.defs.asset_checks,
    jobs=[three_steps],
    resources=definitions.defs.resources,
    executor=definitions.defs.executor,
)
