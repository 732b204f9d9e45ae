"""The Twitter resource: where bronze gets its search pages."""

import dagster as dg
from pydantic import Field

from tweet_assets.resources.demo_corpus import DemoCorpus
from tweet_assets.resources.search_page import SearchClient
from tweet_assets.resources.x_api import DEFAULT_API_BASE_URL, XApiClient


class TwitterResource(dg.ConfigurableResource):
    """Posts matching `query`, one UTC day at a time.

    With a bearer token it talks to X API v2 recent search at `api_base_url`; without one it
    serves the offline demo corpus, so the same assets run on a laptop with no account. A refusal
    by the API fails the step with `XApiError` (status, title, detail; never the token).
    """

    bearer_token: str | None = Field(
        default=None,
        description="X API v2 app bearer token (from TWITTER_BEARER_TOKEN); unset: demo corpus.",
        repr=False,
    )
    api_base_url: str = Field(default=DEFAULT_API_BASE_URL, description="X API v2 base URL.")
    query: str = Field(default="AluraOnline", description="The recent-search query.")
    demo_tweets_per_day: int = Field(
        default=300, ge=0, description="Posts per day the offline demo corpus serves."
    )

    @property
    def source(self) -> str:
        """`api` when a token is set, else `demo`."""
        return "api" if self.bearer_token else "demo"

    def client(self) -> SearchClient:
        if self.bearer_token:
            return XApiClient(self.api_base_url, self.bearer_token)
        return DemoCorpus(self.demo_tweets_per_day)
