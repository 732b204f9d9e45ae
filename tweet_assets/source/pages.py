"""What every search client yields and counts: raw response pages, and what fetching cost."""

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Protocol


@dataclass(frozen=True)
class SearchPage:
    """One search response: `body` is the JSON text exactly as received."""

    body: str
    result_count: int
    next_token: str | None = None
    # Partial errors the API sent beside the data (`errors[]` in a 200), summarized.
    errors: tuple[str, ...] = ()
    # How many of those say a post of the page's own `data` was left out (see
    # `drops_posts`); the others concern expansions (authors, referenced posts).
    dropping_errors: int = 0
    # The ids of the page's posts, in order.
    ids: tuple[str, ...] = ()


@dataclass
class FetchStats:
    """What fetching a partition cost, counted by the client, shown in bronze's metadata."""

    requests: int = 0
    retries: int = 0
    rate_limit_waits: int = 0
    rate_limit_wait_seconds: float = 0.0
    statuses: Counter[int] = field(default_factory=Counter)


# Partial errors about these request parameters concern expanded objects (`includes`), never
# a post of `data`.
_EXPANSION_PARAMETERS = ("author_id", "referenced_tweets.id", "in_reply_to_user_id", "entities.")


def drops_posts(error: dict) -> bool:
    """Whether a partial error (one item of a 200's `errors[]`) means a matching post is not in
    the page's `data`. The API reports missing or hidden expansions this way (an author, a
    referenced post: `section` "includes", or a `parameter` naming an expansion); anything it
    does not place there is taken to concern the posts themselves."""
    if error.get("section") == "includes" or error.get("resource_type") == "user":
        return False
    parameter = str(error.get("parameter") or "")
    return not parameter.startswith(_EXPANSION_PARAMETERS)


class SearchClient(Protocol):
    """A source of search pages: the live X API or the offline demo corpus."""

    source: str
    endpoint: str
    stats: FetchStats

    def check_window(self, label: str, start: datetime, end: datetime) -> None:
        """Raise, before any request, if [start, end) cannot be served."""
        ...

    def user_id(self, username: str) -> str:
        """The id of the account `username`; raises, naming TWEETS_ACCOUNT, when there is none."""
        ...

    def search_pages(
        self, query: str, start: datetime, end: datetime, max_tweets: int | None = None
    ) -> Iterator[SearchPage]:
        """Every page of posts matching `query` created in [start, end), newest first; with
        `max_tweets`, stop once that many have been fetched."""
        ...

    def count_days(self, query: str, start: datetime, end: datetime) -> dict[date, int] | None:
        """The source's own count of posts matching `query` per UTC day of [start, end), or
        None when it cannot say (a plan without the counts endpoint)."""
        ...
