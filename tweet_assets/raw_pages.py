"""A spool of raw search pages on local disk, per UTC day, for bronze to hand to the lake.

Bronze fetches first and writes after, so a fetch that fails midway leaves the lake as it was,
and a 1,000,000-post day never sits in memory: pages go to disk as they arrive and reach Spark
in bounded chunks.
"""

import tempfile
from collections.abc import Iterator
from datetime import date
from pathlib import Path

CHUNK_BYTES = 32 * 1024 * 1024


class RawPages:
    """Response bodies by day, in the order received; one line per body."""

    def __init__(self) -> None:
        self._dir = tempfile.TemporaryDirectory(prefix="tweet-lake-pages-")
        self.pages_by_day: dict[date, int] = {}

    def _path(self, day: date) -> Path:
        return Path(self._dir.name) / f"{day.isoformat()}.jsonl"

    def add(self, day: date, body: str) -> None:
        # A JSON text can hold a raw line break only as whitespace between tokens (inside
        # strings it must be escaped), so flattening breaks keeps one page per line and the
        # document unchanged. The API sends compact JSON: its bodies pass through byte for byte.
        if "\n" in body or "\r" in body:
            body = body.replace("\r", " ").replace("\n", " ")
        with self._path(day).open("a", encoding="utf-8") as spool:
            spool.write(body + "\n")
        self.pages_by_day[day] = self.pages_by_day.get(day, 0) + 1

    def chunks(self, max_bytes: int = CHUNK_BYTES) -> Iterator[list[tuple[date, int, str]]]:
        """(day, sequence number, body) rows in chunks of about `max_bytes` of text."""
        chunk: list[tuple[date, int, str]] = []
        size = 0
        for day in sorted(self.pages_by_day):
            with self._path(day).open(encoding="utf-8") as spool:
                for sequence, line in enumerate(spool):
                    body = line.rstrip("\n")
                    chunk.append((day, sequence, body))
                    size += len(body)
                    if size >= max_bytes:
                        yield chunk
                        chunk, size = [], 0
        if chunk:
            yield chunk

    def discard(self) -> None:
        self._dir.cleanup()
