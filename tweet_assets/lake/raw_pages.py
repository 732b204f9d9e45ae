"""A spool of raw search pages on local disk, per UTC day, for bronze to hand to the lake.

Bronze fetches first and writes after, so a fetch that fails midway leaves the lake as it was,
and a 1,000,000-post day never sits in memory: pages go to disk as they arrive and reach Spark
in bounded chunks.

A spool holds a lock while its process lives. A new spool deletes the spools of dead processes
(their lock free): a run killed with -9 leaves its pages (about 1 GB at 1,000,000 posts a day)
only until the next run starts.
"""

import contextlib
import fcntl
import os
import shutil
import tempfile
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pyarrow as pa

from tweet_assets.lake.fetch_records import FetchRecord

CHUNK_SCHEMA = pa.schema([("date", pa.date32()), ("seq", pa.int64()), ("value", pa.string())])
CHUNK_BYTES = 32 * 1024 * 1024
SPOOL_PREFIX = "tweet-lake-pages-"
_MAKING = ".tweet-lake-making-"
_LOCK = ".lock"


class RawPages:
    """Response bodies by day, in the order received; one line per body."""

    def __init__(self) -> None:
        remove_dead_spools()
        # Locked before it takes its name, so a spool under SPOOL_PREFIX is locked while alive.
        making = Path(tempfile.mkdtemp(prefix=_MAKING))
        self._lock_fd = os.open(making / _LOCK, os.O_RDWR | os.O_CREAT, 0o600)
        fcntl.flock(self._lock_fd, fcntl.LOCK_EX)
        self._dir = making.with_name(SPOOL_PREFIX + making.name.removeprefix(_MAKING))
        making.rename(self._dir)
        self.pages_by_day: dict[date, int] = {}
        # Each day's fetch record (lake.fetch_records), stored and committed with its pages.
        self.records: dict[date, FetchRecord] = {}

    @property
    def folder(self) -> Path:
        """The spool's own folder on this machine, deleted with it."""
        return self._dir

    def _path(self, day: date) -> Path:
        return self._dir / f"{day.isoformat()}.jsonl"

    def add(self, day: date, body: str) -> None:
        # A JSON text can hold a raw line break only as whitespace between tokens (inside
        # strings it must be escaped), so flattening breaks keeps one page per line and the
        # document unchanged. The API sends compact JSON: its bodies pass through byte for byte.
        if "\n" in body or "\r" in body:
            body = body.replace("\r", " ").replace("\n", " ")
        with self._path(day).open("a", encoding="utf-8") as spool:
            spool.write(body + "\n")
        self.pages_by_day[day] = self.pages_by_day.get(day, 0) + 1

    def chunks(self, max_bytes: int = CHUNK_BYTES) -> Iterator[pa.Table]:
        """Arrow tables of (`date`, `seq`, `value`): each page's day, its place in the day and
        its body, about `max_bytes` of text per table."""
        rows: dict[str, list] = {"date": [], "seq": [], "value": []}
        size = 0
        for day in sorted(self.pages_by_day):
            with self._path(day).open(encoding="utf-8") as spool:
                for sequence, line in enumerate(spool):
                    rows["date"].append(day)
                    rows["seq"].append(sequence)
                    rows["value"].append(line.rstrip("\n"))
                    size += len(line)
                    if size >= max_bytes:
                        yield pa.table(rows, schema=CHUNK_SCHEMA)
                        rows, size = {name: [] for name in rows}, 0
        if rows["value"]:
            yield pa.table(rows, schema=CHUNK_SCHEMA)

    def discard(self) -> None:
        shutil.rmtree(self._dir, ignore_errors=True)
        with contextlib.suppress(OSError):
            os.close(self._lock_fd)


def remove_dead_spools(folder: Path | None = None) -> list[Path]:
    """Delete the spools in `folder` (the temp folder) whose process died; the ones deleted."""
    removed = []
    for spool in Path(folder or tempfile.gettempdir()).glob(f"{SPOOL_PREFIX}*"):
        try:
            fd = os.open(spool / _LOCK, os.O_RDWR | os.O_CREAT, 0o600)
        except OSError:
            continue  # gone meanwhile, or another user's
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            continue  # its process is alive
        try:
            shutil.rmtree(spool, ignore_errors=True)
            removed.append(spool)
        finally:
            os.close(fd)
    return removed
