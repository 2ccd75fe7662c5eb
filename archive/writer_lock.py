"""The archive's writer lock: one ingest at a time, the next one waiting its turn.

The lock is an OS file lock taken through `filelock` (flock on POSIX, msvcrt on
Windows). The operating system drops it when its process ends however it
ends, so a killed ingest never blocks the next one: a stale lock is one whose
process is gone, never one that is merely old.

Who holds it is written, after acquiring, to a small side file beside it
(``.writer.info``), only so a waiting command can say whom it waits for. That
file may be missing (not written yet, or the holder could not write it),
half-written, or stale (left by a killed holder): it is read defensively and
never decides anything. The lock is the truth.
"""

from __future__ import annotations

import getpass
import json
import os
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from archive import messages, processes
from archive.errors import ArchiveError
from archive.text import nfc

if TYPE_CHECKING:  # imported where a lock is taken: an ingest's workers never take one, and
    from filelock import FileLock  # their fork server would import it (~13 ms) for nothing

LOCK_NAME = ".writer.lock"
INFO_NAME = ".writer.info"
POLL_SECONDS = 0.1
# How long a waiter gives a new holder to write its info before saying it waits for "a command".
INFO_GRACE_SECONDS = 0.5


@dataclass(frozen=True)
class Holder:
    """Who holds the writer lock, as written by the holder itself."""

    purpose: str  # "ingest", "verify", ...: what the holder is doing, for the waiting line
    pid: int
    user: str | None = None
    host: str | None = None
    started: datetime | None = None

    def as_json(self) -> dict[str, object]:
        return {
            "purpose": self.purpose,
            "pid": self.pid,
            "user": self.user,
            "host": self.host,
            "started": self.started.isoformat(timespec="seconds") if self.started else None,
        }


class ArchiveBusy(ArchiveError):
    """Another process holds the archive's writer lock, and this one was not to wait.

    The message says who holds it and what the refused command (its purpose)
    can do next, so it reaches the user as it is. A caller that can wait
    instead catches this class.
    """

    def __init__(self, root: Path, holder: Holder | None = None, purpose: str = "ingest") -> None:
        super().__init__(messages.busy_refusal(purpose, messages.busy(root, holder)))
        self.root, self.holder = root, holder


class LockWait:
    """What a caller is told while it waits for the lock; these defaults wait in silence.

    The command line shows a line and an indicator (archive/cli/context.py); library
    callers that pass a plain LockWait() just wait.
    """

    def waiting_for(self, holder: Holder | None) -> None:
        """Called when the wait begins, and again whenever another process takes the lock."""

    def tick(self, seconds: float) -> None:
        """Called every poll with the seconds waited so far."""

    def done(self, acquired: bool) -> None:
        """Called once when the wait ends: acquired, or interrupted (Ctrl+C)."""


@contextmanager
def hold(
    root: Path, *, purpose: str, wait: LockWait | None, required: bool = True
) -> Iterator[None]:
    """Hold the writer lock of the archive at root for the block.

    wait None: one attempt, ArchiveBusy if taken. required False: an archive
    whose lock file cannot be opened (a read-only copy, where nobody writes)
    is used without the lock instead of failing.
    """
    lock_path = root / LOCK_NAME
    try:
        # filelock takes an unwritable lock file for a busy one; find out first.
        with open(lock_path, "a"):
            pass
    except OSError:
        if required:
            raise
        yield
        return
    from filelock import FileLock

    lock = FileLock(lock_path)
    _acquire(lock, root, wait, purpose)
    info = root / INFO_NAME
    try:
        _write_info(info, purpose)
        yield
    finally:
        try:
            # Before the lock goes: once it is released the file may be the next holder's.
            with suppress(OSError):
                info.unlink(missing_ok=True)
        finally:
            lock.release()


def _acquire(lock: FileLock, root: Path, wait: LockWait | None, purpose: str) -> None:
    if _try(lock):
        return
    info = root / INFO_NAME
    if wait is None:
        raise ArchiveBusy(root, _current_holder(info), purpose)
    started = time.monotonic()
    announced, holder, acquired = False, None, False
    try:
        while not acquired:
            seen = _current_holder(info)
            elapsed = time.monotonic() - started
            if (seen is not None or elapsed >= INFO_GRACE_SECONDS) and (
                not announced or (seen is not None and seen != holder)
            ):
                holder, announced = seen, True
                wait.waiting_for(holder)
            if announced:
                wait.tick(elapsed)
            time.sleep(POLL_SECONDS)
            acquired = _try(lock)
    finally:
        if announced:
            wait.done(acquired)


def _try(lock: FileLock) -> bool:
    from filelock import Timeout

    try:
        lock.acquire(blocking=False)
    except Timeout:
        return False
    return True


# -- the side file -----------------------------------------------------------


def _write_info(path: Path, purpose: str) -> None:
    """Who holds the lock, written whole under a temporary name and renamed into place.

    Best effort: a holder that cannot write it still holds the lock, and a
    waiter then only says it waits for "the command writing to this archive".
    """
    holder = Holder(
        purpose=purpose,
        pid=os.getpid(),
        user=_user(),
        host=_host(),
        started=datetime.now().astimezone(),
    )
    for leftover in path.parent.glob(f"{INFO_NAME}.*.tmp"):  # a killed holder's, mid-write
        with suppress(OSError):
            leftover.unlink()
    tmp = path.with_name(f"{INFO_NAME}.{os.getpid()}.tmp")
    try:
        tmp.write_text(json.dumps(holder.as_json(), ensure_ascii=False), "utf-8")
        os.replace(tmp, path)
    except OSError:
        with suppress(OSError):
            tmp.unlink(missing_ok=True)


def read_holder(path: Path) -> Holder | None:
    """The holder the side file names, or None when it is missing, partial or malformed."""
    try:
        data = json.loads(path.read_text("utf-8"))
        pid = data["pid"]
        if not isinstance(pid, int) or isinstance(pid, bool) or pid <= 0:
            return None
        started = data.get("started")
        return Holder(
            purpose=_text(data.get("purpose")) or "ingest",
            pid=pid,
            user=_text(data.get("user")),
            host=_text(data.get("host")),
            started=datetime.fromisoformat(started) if isinstance(started, str) else None,
        )
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def _current_holder(path: Path) -> Holder | None:
    """The side file's holder unless it is plainly stale: a process of this machine now gone."""
    holder = read_holder(path)
    if holder is None or holder.pid == os.getpid():
        return None
    if holder.host == _host() and not processes.alive(holder.pid):
        return None
    return holder


def _text(value: object) -> str | None:
    return nfc(value)[:200] if isinstance(value, str) and value.strip() else None


def _user() -> str | None:
    try:
        return nfc(getpass.getuser())
    except (KeyError, OSError, ImportError):
        return None


def _host() -> str | None:
    try:
        return nfc(socket.gethostname()) or None
    except OSError:
        return None
