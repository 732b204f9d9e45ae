"""Putting a run's days into a lake table so that no reader and no crash sees half a day.

A writer builds its days as a complete table in a stage, `{root}/_staging/{layer}_{table}/{id}/`,
outside every table folder, so no reader lists it. While its process lives, the writer holds an
exclusive lock on `{id}.lock` next to the stage. Commit then puts each staged day in place:

- On Linux, one `renameat2(RENAME_EXCHANGE)` per day swaps the staged folder with the table's.
  A reader sees either the old day or the new one, whole.
- Where the file system cannot exchange, the old folder moves into the stage's `replaced/` and
  the staged one is renamed in. Two renames: a reader may briefly find the day missing.
- A day the table does not have yet is renamed in.

Each day is replaced on its own, in order; a range run that dies half way leaves each day whole,
some old and some new, and its re-run replaces the rest.

Recovery: a stage whose lock nobody holds belongs to a writer that died. A day of that stage
that was half way through the two-rename swap (the table lacks it, `replaced/` has it) is
rolled forward by renaming the staged copy in. Everything else in the stage is old or never
committed and is deleted. `recover` runs before every read and write of a table.
"""

import contextlib
import ctypes
import errno
import fcntl
import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

STAGING_DIR = "_staging"
_AT_FDCWD = -100
_RENAME_EXCHANGE = 2
_libc = ctypes.CDLL(None, use_errno=True)
# None where the C library has no renameat2 (not Linux, old glibc): commit then renames twice.
EXCHANGE = getattr(_libc, "renameat2", None)


class Stage:
    """A writer's private table folder (`table`), committed day by day into `target`."""

    def __init__(self, root: Path, name: str, target: Path, run_id: str):
        self.target = target
        parent = root / STAGING_DIR / name
        parent.mkdir(parents=True, exist_ok=True)
        stage_id = f"{run_id}-{uuid.uuid4().hex[:8]}"
        self._lock = parent / f"{stage_id}.lock"
        self._lock_fd = _lock(self._lock)
        self.path = parent / stage_id
        self.path.mkdir()
        self.table = self.path / "table"
        self._replaced = self.path / "replaced"

    def commit(self, days: list[str]) -> None:
        """Put each staged `date=` folder of `days` in place of the table's."""
        self.target.mkdir(parents=True, exist_ok=True)
        self._replaced.mkdir(exist_ok=True)
        for day in days:
            _swap_in(self.table / f"date={day}", self.target / f"date={day}", self._replaced)
        _sync_dir(self.target)

    def close(self) -> None:
        """Delete the stage (whatever it still holds is old or uncommitted) and the lock."""
        shutil.rmtree(self.path, ignore_errors=True)
        with contextlib.suppress(OSError):  # a read-only lake keeps it; recovery skips it
            self._lock.unlink(missing_ok=True)
        os.close(self._lock_fd)


@contextlib.contextmanager
def staged(root: Path, name: str, target: Path, run_id: str) -> Iterator[Stage]:
    """A stage for one write; deleted afterwards, committed or not."""
    stage = Stage(root, name, target, run_id)
    try:
        yield stage
    finally:
        stage.close()


def recover(root: Path, name: str, target: Path) -> list[str]:
    """Finish or discard the stages of `name` whose writers died; the days rolled forward."""
    parent = root / STAGING_DIR / name
    rolled = []
    for stage in sorted(parent.glob("*")) if parent.is_dir() else []:
        if not stage.is_dir():
            continue
        lock = parent / f"{stage.name}.lock"
        try:
            fd = _lock(lock)
        except BlockingIOError:
            continue  # its writer is alive
        try:
            replaced = stage / "replaced"
            for day in sorted((stage / "table").glob("date=*")):
                final = target / day.name
                if not final.exists() and (replaced / day.name).exists():
                    day.rename(final)
                    rolled.append(day.name.removeprefix("date="))
            if rolled:
                _sync_dir(target)
            shutil.rmtree(stage, ignore_errors=True)
            lock.unlink(missing_ok=True)
        finally:
            os.close(fd)
    return rolled


def _swap_in(new: Path, final: Path, replaced: Path) -> None:
    if not final.exists():
        new.rename(final)
        return
    if EXCHANGE is not None:
        if EXCHANGE(_AT_FDCWD, bytes(new), _AT_FDCWD, bytes(final), _RENAME_EXCHANGE) == 0:
            return
        code = ctypes.get_errno()
        if code not in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP):
            raise OSError(code, f"cannot swap {new} into {final}: {os.strerror(code)}")
    final.rename(replaced / final.name)
    new.rename(final)


def _sync_dir(path: Path) -> None:
    # The renames are durable once the folder holding them is on disk.
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _lock(path: Path) -> int:
    """An exclusive lock on `path`, held until its descriptor closes or this process dies."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BaseException:
        os.close(fd)
        raise
    return fd
