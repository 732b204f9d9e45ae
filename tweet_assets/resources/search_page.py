"""What every search client yields: one raw response page and what it holds."""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol


@dataclass(frozen=True)
class SearchPage:
    """One search response: `body` is the JSON text exactly as received."""

    body: str
    result_count: int


class SearchClient(Protocol):
    """A source of search pages: the live X API or the offline demo corpus."""

    source: str

    def search_pages(self, query: str, start: datetime, end: datetime) -> Iterator[SearchPage]:
        """Every page of posts matching `query` created in [start, end), newest first."""
        ...
