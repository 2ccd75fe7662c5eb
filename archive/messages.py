"""What the writer lock says to people, kept in one place so it can be translated in one place.

The lock itself (archive/writer_lock.py) and the command line (archive/cli/)
only choose which sentence to say; the words are all here.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Protocol


class HolderInfo(Protocol):
    """Who holds the lock, as the holder wrote it down (see writer_lock.Holder)."""

    purpose: str
    pid: int
    user: str | None
    host: str | None
    started: datetime | None


def _started(when: datetime | None) -> str:
    """'at 10:42' today, 'on 2024-03-08 at 10:42' another day, in this machine's local time."""
    if when is None:
        return ""
    local = when.astimezone()
    if local.date() == datetime.now().astimezone().date():
        return f" started at {local:%H:%M}"
    return f" started on {local:%Y-%m-%d} at {local:%H:%M}"


def holder_phrase(holder: HolderInfo) -> str:
    """'the ingest started at 10:42 by lan on ward-pc (process 1234)'."""
    by = f" by {holder.user}" if holder.user else ""
    on = f" on {holder.host}" if holder.host else ""
    return f"the {holder.purpose}{_started(holder.started)}{by}{on} (process {holder.pid})"


def waiting_for(holder: HolderInfo | None) -> str:
    """The one line a command prints when it has to wait for the writer lock."""
    if holder is None:
        return "Waiting for the command writing to this archive to finish…"
    return f"Waiting for {holder_phrase(holder)} to finish…"


def waited(seconds: float) -> str:
    """The terminal's indicator while waiting (never printed when stderr is piped)."""
    minutes, rest = divmod(int(seconds), 60)
    return f"  waited {minutes}:{rest:02d} (Ctrl+C to stop waiting)"


NO_WAIT_HELP = "If an ingest is writing to the archive, exit (status 2) instead of waiting."
STOPPED_WAITING = "Stopped waiting: nothing was written to the archive."


def busy(root: Path, holder: HolderInfo | None) -> str:
    """The refusal of a command that was told not to wait (--no-wait), or cannot."""
    if holder is None:
        return f"{root}: an ingest is writing to this archive"
    if holder.purpose == "ingest":
        return f"{root}: an ingest is writing to this archive ({holder_phrase(holder)})"
    return f"{root}: {holder_phrase(holder)} holds this archive's writer lock"


def busy_ingest(error: object) -> str:
    return f"{error}; try again when it has finished, or leave out --no-wait to wait for it"


def busy_verify(error: object) -> str:
    return f"{error}; verify when it has finished, or leave out --no-wait to wait for it"


def busy_refusal(purpose: str, busy_line: str) -> str:
    """The busy line with what the command refused (by its purpose) can do next."""
    return busy_verify(busy_line) if purpose == "verify" else busy_ingest(busy_line)
