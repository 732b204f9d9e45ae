"""Day locks: one run at a time writes a table's day, and nobody writes what a step is reading.

A step reading days of a table holds them shared, from its first read until its last write ends;
a step writing days of a table holds them exclusively until then. A step reads its inputs
(Spark reads lazily: during its own write) and writes its outputs while holding both, and it
takes the locks lowest layer first, so two runs of the same day wait for each other instead of
deadlocking. Whatever order their steps run in, the last writer of each layer read what the last
writer of the layer below wrote: every layer of the day comes from the same fetch.

The locks are `flock`s on `{root}/_locks/{layer}_{table}/date=D.lock`, held by the process that
runs the step, so a killed run holds nothing. A process runs one step at a time: taking a lock
for a new step releases whatever an earlier step left (a step that failed before its write).
The last holder deletes the file; a file that a killed run left is deleted at the next release.

Only a lake folder on this machine can be locked. Over Spark Connect or on another file system
(`hdfs://`, `s3a://`) the runs of one day are serialized by the instance's run queue (README).

A lock file another OS user made is locked through a read-only descriptor (a `flock` is the same
lock whatever the descriptor's mode); one this process can neither open nor create stops the
step with `DayLockDenied`, naming the file, its owner and the fix, instead of skipping the lock.
"""

import contextlib
import errno
import fcntl
import os
import pwd
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

LOCKS_DIR = "_locks"
# How long a step waits for another run's step on the same day before it fails.
WAIT_SECONDS = 3600.0
_POLL_SECONDS = 0.2
_DENIED = (errno.EACCES, errno.EPERM)


class DayLockTimeout(Exception):
    """Another run held a day of a table for longer than WAIT_SECONDS."""


class DayLockDenied(PermissionError):
    """A day's lock file (or its folder) belongs to another OS user and this process may not
    open it."""


@dataclass
class _Held:
    step: tuple[str, str] | None = None
    fds: dict[Path, int] = field(default_factory=dict)


_held = _Held()


def lock_days(
    root: Path,
    name: str,
    days: Iterable[date],
    *,
    step: tuple[str, str],
    shared: bool,
    waiting: Callable[[str], None] | None = None,
) -> None:
    """Hold `days` of table `name` for `step` (run id, step key) until `release_step`.

    `waiting` hears once that the step waits for another run, naming the table and day.
    """
    if _held.step != step:
        release_step()
        _held.step = step
    folder = root / LOCKS_DIR / name
    for day in sorted(days):
        path = folder / f"date={day.isoformat()}.lock"
        if path in _held.fds:
            continue  # a second input of the same table and day
        fd = _acquire(path, shared, f"{name} {day}", waiting)
        if fd is not None:
            _held.fds[path] = fd


def release_step() -> None:
    """Release every day this process holds; the files of days nobody else holds go."""
    held, _held.fds, _held.step = _held.fds, {}, None
    folders = {path.parent for path in held}
    for path, fd in held.items():
        _release(path, fd)
    for folder in folders:  # files a killed run left
        for path in folder.glob("*.lock"):
            with contextlib.suppress(OSError):
                fd = os.open(path, os.O_RDONLY)  # a flock needs no write access
                _release(path, fd)


def _acquire(
    path: Path, shared: bool, what: str, waiting: Callable[[str], None] | None
) -> int | None:
    deadline, told = time.monotonic() + WAIT_SECONDS, False
    while True:
        try:
            fd = _open(path)
        except OSError as error:
            if shared and error.errno == errno.EROFS:
                return None  # a read-only file system: no run can write the day under us
            raise
        try:
            fcntl.flock(fd, (fcntl.LOCK_SH if shared else fcntl.LOCK_EX) | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            if time.monotonic() > deadline:
                raise DayLockTimeout(
                    f"{what} is held by another run for over {WAIT_SECONDS:.0f} s "
                    f"({path}). Fix: wait for that run to end (or terminate it in Dagit), "
                    "then materialize again."
                ) from None
            if waiting is not None and not told:
                waiting(f"waiting: another run is reading or writing {what}")
                told = True
            time.sleep(_POLL_SECONDS)
            continue
        if _same_file(fd, path):
            return fd
        os.close(fd)  # the last holder deleted it between our open and our lock: take anew


def _open(path: Path) -> int:
    """The lock file, made if missing; read-only when another user's file is readable only."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        return os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as error:
        if error.errno not in _DENIED:
            raise
        denied = error
    try:
        return os.open(path, os.O_RDONLY)
    except FileNotFoundError:
        pass  # the folder is another user's: this process may not make the file
    except OSError as error:
        if error.errno not in _DENIED:
            raise
    raise DayLockDenied(_denied(path, denied)) from None


def _denied(path: Path, error: OSError) -> str:
    where = path if path.exists() else path.parent
    while not where.exists() and where != where.parent:
        where = where.parent
    return (
        f"cannot take the day lock {path} ({error.strerror}): {where} belongs to "
        f"{_user(where.stat().st_uid)} and this run is {_user(os.geteuid())}. Fix: run every "
        f"writer of this lake as one OS user, or give them a group that may write "
        f"{path.parent.parent} (chmod -R g+rwX and chgrp -R GROUP on it); a lock file that no "
        "running run holds may be deleted."
    )


def _user(uid: int) -> str:
    try:
        return f"user {pwd.getpwuid(uid).pw_name} (uid {uid})"
    except KeyError:
        return f"uid {uid}"


def _release(path: Path, fd: int) -> None:
    """Delete the file if no other process holds or is taking it, then let go."""
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        if _same_file(fd, path):
            path.unlink()
    except OSError:
        pass  # another holder; it deletes the file when it lets go
    finally:
        os.close(fd)


def _same_file(fd: int, path: Path) -> bool:
    try:
        return os.fstat(fd).st_ino == path.stat().st_ino
    except FileNotFoundError:
        return False
