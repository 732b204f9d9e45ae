"""The medallion: bronze (raw pages), silver (typed tables), gold (daily counts and hashtags),
their checks."""

from tweet_assets.assets.bronze import bronze_tweets
from tweet_assets.assets.checks import ASSET_CHECKS
from tweet_assets.assets.gold import gold_daily_counts, gold_daily_hashtags
from tweet_assets.assets.silver import silver

# silver: silver_tweets and silver_users, made by one step
ASSETS = [bronze_tweets, silver, gold_daily_counts, gold_daily_hashtags]

__all__ = [
    "ASSETS",
    "ASSET_CHECKS",
    "bronze_tweets",
    "gold_daily_counts",
    "gold_daily_hashtags",
    "silver",
]
