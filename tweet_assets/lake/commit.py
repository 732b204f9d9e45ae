"""Putting a run's days into a lake table so that no reader and no crash sees half a day.

A writer builds its days as a complete table in a stage, `{root}/_staging/{layer}_{table}/{id}/`,
outside every table folder, so no reader lists it. While its process lives, the writer holds an
exclusive lock on `{id}.lock` next to the stage. Commit then puts each staged day in place:

- On Linux, one `renameat2(RENAME_EXCHANGE)` per day swaps the staged folder with the table's.
  A reader sees either the old day or the new one, whole.
- Where the file system cannot exchange, the old folder moves into the stage's `replaced/` and
  the staged one is renamed in. Two renames: a reader may briefly find the day missing.
- A day the table does not have yet is renamed in.

Before the first swap, every staged file and folder is on disk (fsync), so a power loss cannot
leave a new day of empty files in place of an old one; the table folder is synced after.

Each day is replaced on its own, in order; a range run that dies half way leaves each day whole,
some old and some new (`Stage.committed` says which), and its re-run replaces the rest.

Roll-forward: a day half way through the two-rename swap (the table lacks it, `replaced/` has
it) is finished by renaming the staged copy in, before anything of the stage is deleted:
- by the writer itself, whatever stops it (an exception, a run's termination): `close`;
- by the next reader or writer of the table, when the writer died (kill -9): `recover`. A
  stage whose lock nobody holds belongs to a writer that died; everything else in it is old or
  never committed and is deleted, and so is a lock left without its stage.
`recover` runs before every read and write of a table.
"""

import contextlib
import ctypes
import errno
import fcntl
import os
import shutil
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

STAGING_DIR = "_staging"
# A lock without its stage this old is a dead writer's leftover (a new writer makes both at once).
ORPHAN_LOCK_SECONDS = 60.0
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
        # The days swapped in so far: the table holds their new rows.
        self.committed: list[str] = []

    def commit(self, days: list[str]) -> None:
        """Put each staged `date=` folder of `days` in place of the table's."""
        self.target.mkdir(parents=True, exist_ok=True)
        self._replaced.mkdir(exist_ok=True)
        for day in days:
            _sync_tree(self.table / f"date={day}")
        for day in days:
            _swap_in(self.table / f"date={day}", self.target / f"date={day}", self._replaced)
            self.committed.append(day)
        _sync_dir(self.target)

    def close(self) -> None:
        """Finish a day caught between the two renames, then delete the stage (whatever it
        still holds is old or uncommitted) and the lock."""
        self.committed += _roll_forward(self.path, self.target)
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
    for entry in sorted(parent.glob("*")) if parent.is_dir() else []:
        stage = entry.with_suffix("") if entry.suffix == ".lock" else entry
        lock = parent / f"{stage.name}.lock"
        if entry == lock and (stage.is_dir() or _age(lock) < ORPHAN_LOCK_SECONDS):
            continue  # handled with its stage; or a writer that is just creating its stage
        try:
            fd = _lock(lock)
        except BlockingIOError:
            continue  # its writer is alive
        try:
            if stage.is_dir():
                rolled += _roll_forward(stage, target)
                shutil.rmtree(stage, ignore_errors=True)
            lock.unlink(missing_ok=True)
        finally:
            os.close(fd)
    return rolled


def _roll_forward(stage: Path, target: Path) -> list[str]:
    """Rename in each staged day whose table folder was moved to `replaced/` and not yet
    replaced; the days, durable once returned."""
    rolled = []
    replaced = stage / "replaced"
    for day in sorted((stage / "table").glob("date=*")):
        final = target / day.name
        if not final.exists() and (replaced / day.name).exists():
            day.rename(final)
            rolled.append(day.name.removeprefix("date="))
    if rolled:
        _sync_dir(target)
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


def _age(path: Path) -> float:
    try:
        return time.time() - path.stat().st_mtime
    except FileNotFoundError:
        return 0.0


def _sync_tree(folder: Path) -> None:
    """Every file and folder under `folder` (and it) on disk."""
    for path in folder.rglob("*"):
        if path.is_file():
            with path.open("rb") as written:
                os.fsync(written.fileno())
        else:
            _sync_dir(path)
    _sync_dir(folder)


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
