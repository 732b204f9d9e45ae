"""The X API v2 world: the Twitter resource, its live client and the offline demo corpus."""

from tweet_assets.source.demo_corpus import DemoCorpus
from tweet_assets.source.pages import FetchStats, SearchClient, SearchPage
from tweet_assets.source.resource import TwitterResource
from tweet_assets.source.retry import RetryPolicy, XApiError
from tweet_assets.source.x_api import XApiClient

__all__ = [
    "DemoCorpus",
    "FetchStats",
    "RetryPolicy",
    "SearchClient",
    "SearchPage",
    "TwitterResource",
    "XApiClient",
    "XApiError",
]
