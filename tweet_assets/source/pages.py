"""What every search client yields and counts: raw response pages, and what fetching cost."""

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol


@dataclass(frozen=True)
class SearchPage:
    """One search response: `body` is the JSON text exactly as received."""

    body: str
    result_count: int
    next_token: str | None = None
    # Partial errors the API sent beside the data (`errors[]` in a 200), summarized.
    errors: tuple[str, ...] = ()


@dataclass
class FetchStats:
    """What fetching a partition cost, counted by the client, shown in bronze's metadata."""

    requests: int = 0
    retries: int = 0
    rate_limit_waits: int = 0
    rate_limit_wait_seconds: float = 0.0
    statuses: Counter[int] = field(default_factory=Counter)


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
