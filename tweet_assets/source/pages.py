"""What every search client yields: one raw response page and what it holds."""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from tweet_assets.resources.fetch_stats import FetchStats


@dataclass(frozen=True)
class SearchPage:
    """One search response: `body` is the JSON text exactly as received."""

    body: str
    result_count: int
    next_token: str | None = None
    # Partial errors the API sent beside the data (`errors[]` in a 200), summarized.
    errors: tuple[str, ...] = ()


class SearchClient(Protocol):
    """A source of search pages: the live X API or the offline demo corpus."""

    source: str
    endpoint: str
    stats: FetchStats

    def check_window(self, label: str, start: datetime, end: datetime) -> None:
        """Raise, before any request, if [start, end) cannot be served."""
        ...

    def search_pages(
        self, query: str, start: datetime, end: datetime, max_tweets: int | None = None
    ) -> Iterator[SearchPage]:
        """Every page of posts matching `query` created in [start, end), newest first; with
        `max_tweets`, stop once that many have been fetched."""
        ...
