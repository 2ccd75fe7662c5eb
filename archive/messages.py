"""What the writer lock says to people, kept in one place so it can be translated in one place.

The lock itself (archive/writer_lock.py) and the command line (archive/cli/)
only choose which sentence to say; the words are all here.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Protocol

from archive.i18n import N_, _


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
        return " " + _("started at {time}").format(time=f"{local:%H:%M}")
    return " " + _("started on {day} at {time}").format(
        day=f"{local:%Y-%m-%d}", time=f"{local:%H:%M}"
    )


def holder_phrase(holder: HolderInfo) -> str:
    """'the ingest started at 10:42 by lan on ward-pc (process 1234)'."""
    by = " " + _("by {user}").format(user=holder.user) if holder.user else ""
    on = " " + _("on {host}").format(host=holder.host) if holder.host else ""
    purpose = _(PURPOSES.get(holder.purpose, holder.purpose))
    return _("the {purpose}{started}{by}{on} (process {pid})").format(
        purpose=purpose, started=_started(holder.started), by=by, on=on, pid=holder.pid
    )


def waiting_for(holder: HolderInfo | None) -> str:
    """The one line a command prints when it has to wait for the writer lock."""
    if holder is None:
        return _("Waiting for the command writing to this archive to finish…")
    return _("Waiting for {holder} to finish…").format(holder=holder_phrase(holder))


def waited(seconds: float) -> str:
    """The terminal's indicator while waiting (never printed when stderr is piped)."""
    minutes, rest = divmod(int(seconds), 60)
    return "  " + _("waited {time} (Ctrl+C to stop waiting)").format(time=f"{minutes}:{rest:02d}")


NO_WAIT_HELP = "If an ingest is writing to the archive, exit (status 2) instead of waiting."
STOPPED_WAITING = N_("Stopped waiting: nothing was written to the archive.")
# What a lock holder was doing, as writer_lock names it.
PURPOSES = {
    "ingest": N_("ingest"),
    "verify": N_("verify"),
    "backup": N_("backup"),
    "restore": N_("restore"),
    "thumbs": N_("thumbnail rebuild"),
}


def busy(root: Path, holder: HolderInfo | None) -> str:
    """The refusal of a command that was told not to wait (--no-wait), or cannot."""
    if holder is None:
        return _("{root}: an ingest is writing to this archive").format(root=root)
    if holder.purpose == "ingest":
        return _("{root}: an ingest is writing to this archive ({holder})").format(
            root=root, holder=holder_phrase(holder)
        )
    return _("{root}: {holder} holds this archive's writer lock").format(
        root=root, holder=holder_phrase(holder)
    )


def busy_ingest(error: object) -> str:
    return _(
        "{error}; try again when it has finished, or leave out --no-wait to wait for it"
    ).format(error=error)


def busy_verify(error: object) -> str:
    return _("{error}; verify when it has finished, or leave out --no-wait to wait for it").format(
        error=error
    )


def busy_refusal(purpose: str, busy_line: str) -> str:
    """The busy line with what the command refused (by its purpose) can do next."""
    return busy_verify(busy_line) if purpose == "verify" else busy_ingest(busy_line)
