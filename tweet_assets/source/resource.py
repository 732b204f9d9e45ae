"""The Twitter resource: where bronze gets its search pages, live or offline."""

import dagster as dg
from pydantic import Field

from tweet_assets import settings
from tweet_assets.source.demo_corpus import DemoCorpus
from tweet_assets.source.pages import SearchClient
from tweet_assets.source.retry import RetryPolicy
from tweet_assets.source.x_api import XApiClient


class TwitterResource(dg.ConfigurableResource):
    """Posts matching `query`, one UTC day at a time.

    With a bearer token it talks to X API v2 search (`recent`, the last 7 days, or `all`, the
    full archive) at `api_base_url`, waiting out rate limits and retrying transient failures
    within `max_tries` and `max_retry_seconds`; without a token it serves the offline demo
    corpus, so the same assets run on a laptop with no account. `account` names the tracked
    account, whose id the client looks up once a run (`user_id`). A refusal by the API fails the
    step with `XApiError` (status, title, detail; never the token).
    """

    bearer_token: str | None = Field(
        default=None,
        description=f"X API v2 app bearer token (from {settings.TOKEN}); unset: demo corpus.",
        repr=False,
    )
    api_base_url: str = Field(
        default=settings.DEFAULT_API_BASE_URL, description="X API v2 base URL."
    )
    endpoint: str = Field(
        default=settings.SEARCH_ENDPOINTS[0], description="`recent` (7 days) or `all` (archive)."
    )
    query: str = Field(default=settings.DEFAULT_QUERY, description="The search query.")
    account: str | None = Field(
        default=settings.DEFAULT_ACCOUNT,
        description="The tracked account's username; None tracks no account.",
    )
    max_tweets_per_day: int | None = Field(
        default=None, ge=1, description="Cost guard: stop paging a day after this many posts."
    )
    demo_tweets_per_day: int = Field(
        default=settings.DEFAULT_DEMO_PER_DAY,
        ge=0,
        description="Posts per day the offline demo corpus serves.",
    )
    max_tries: int = Field(
        default=settings.DEFAULT_MAX_TRIES, ge=1, description="Requests per page before giving up."
    )
    max_retry_seconds: float = Field(
        default=settings.DEFAULT_MAX_RETRY_SECONDS,
        gt=0,
        description="Seconds per page spent retrying transient failures.",
    )
    backoff_seconds: float = Field(default=1.0, gt=0, description="First retry's backoff.")

    def client(self) -> SearchClient:
        if self.bearer_token:
            policy = RetryPolicy(
                max_tries=self.max_tries,
                max_seconds=self.max_retry_seconds,
                backoff_seconds=self.backoff_seconds,
            )
            return XApiClient(
                self.api_base_url, self.bearer_token, endpoint=self.endpoint, policy=policy
            )
        return DemoCorpus(self.demo_tweets_per_day, self.account)
