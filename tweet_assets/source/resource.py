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
    # The rest are settings of the same names (tweet_assets.settings declares, bounds and
    # documents each); `from_settings` copies them.
    api_base_url: str = Field(
        default=settings.DEFAULTS.api_base_url, description=settings.meaning("api_base_url")
    )
    endpoint: str = Field(
        default=settings.DEFAULTS.endpoint, description=settings.meaning("endpoint")
    )
    query: str = Field(default=settings.DEFAULTS.query, description=settings.meaning("query"))
    account: str | None = Field(
        default=settings.DEFAULTS.account, description=settings.meaning("account")
    )
    max_tweets_per_day: int | None = Field(
        default=settings.DEFAULTS.max_tweets_per_day,
        description=settings.meaning("max_tweets_per_day"),
    )
    demo_tweets_per_day: int = Field(
        default=settings.DEFAULTS.demo_tweets_per_day,
        description=settings.meaning("demo_tweets_per_day"),
    )
    max_tries: int = Field(
        default=settings.DEFAULTS.max_tries, description=settings.meaning("max_tries")
    )
    max_retry_seconds: float = Field(
        default=settings.DEFAULTS.max_retry_seconds,
        description=settings.meaning("max_retry_seconds"),
    )
    backoff_seconds: float = Field(default=1.0, gt=0, description="First retry's backoff.")

    @classmethod
    def from_settings(cls, config: settings.Settings) -> "TwitterResource":
        """The resource on `config`. With a token set, Dagster resolves it from the environment
        at run time (`EnvVar`) and keeps only the variable's name in run config and the event
        log; without one the demo corpus serves."""
        fields = {name: getattr(config, name) for name in cls.model_fields if hasattr(config, name)}
        token = dg.EnvVar(settings.TOKEN) if config.token_set else None
        return cls(bearer_token=token, **fields)

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
