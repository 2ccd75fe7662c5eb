"""The words of an `archive` command line, read before click parses them.

Two things are wanted before the command is loaded: the archive's folder (for the
language its settings name, :func:`archive.cli.root_named`) and whether the words
run an ingest that may use a pool of workers (:mod:`archive.launch` starts its fork
server first). Whatever the words say, click parses them again and is the judge of
them. This module imports nothing, for the launcher's sake.
"""

from __future__ import annotations

from collections.abc import Sequence

GROUP_VALUE_OPTIONS = ("--root",)  # the group's options that take a value (archive.cli.cli)


def group_words(words: Sequence[str]) -> tuple[dict[str, str], str | None]:
    """The group's own options that take a value, as the words give them before the
    command (``--root X`` or ``--root=X``; the first one given), and the command's name."""
    values: dict[str, str] = {}
    pending = None
    for word in words:
        if pending is not None:
            values.setdefault(pending, word)
            pending = None
        elif word in GROUP_VALUE_OPTIONS:
            pending = word
        elif word.startswith("-"):
            name, equals, value = word.partition("=")
            if equals and name in GROUP_VALUE_OPTIONS:
                values.setdefault(name, value)
        else:
            return values, word
    return values, None


def command_name(words: Sequence[str]) -> str | None:
    """The command the words run: the first word that is not the group's own option."""
    return group_words(words)[1]


def jobs_asked(words: Sequence[str]) -> str | None:
    """The value given to --jobs, as typed (the last one wins, as in click), or None."""
    found = None
    for index, word in enumerate(words):
        if word == "--jobs" and index + 1 < len(words):
            found = words[index + 1]
        elif word.startswith("--jobs="):
            found = word.split("=", 1)[1]
    return found


def starts_workers(words: Sequence[str], cpus: int | None) -> bool:
    """Whether these words run an ingest that may use a pool of worker processes."""
    if command_name(words) != "ingest" or any(w in ("-h", "--help") for w in words):
        return False
    jobs = jobs_asked(words)
    if jobs is None or jobs.strip() == "0":  # one worker per CPU
        return (cpus or 1) > 1
    return jobs.strip() != "1"
