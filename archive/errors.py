"""The one error type the user sees: a one-line message and the exit status it calls for.

Every refusal that reaches the person at the keyboard (a unit that does not
exist, a backup folder that is not one, a metadata file that is not YAML, an
archive another ingest is writing to) is an :class:`ArchiveError` or a
subclass of it, raised where the reason is known. The command line handles it
in one place (:mod:`archive.cli`): ``Error: <message>`` on stderr, no
traceback unless ``--debug``, and the exit status the error carries. So a new
refusal needs no translator, and a library caller catches one type.

This module imports nothing of the project, so that any module can raise it.
"""

from __future__ import annotations

# The exit statuses of the conventions (README "Exit status").
FILES_FAILED = 1  # some files failed; the rest of the batch was done
USAGE = 2  # a usage or configuration error: nothing was done


class ArchiveError(Exception):
    """A refusal for the user to read: ``str()`` is the line, ``exit_code`` the status.

    The status is the class's: 2 (usage or configuration) unless a subclass
    says otherwise. It is not an argument, so that subclasses keep their own
    constructors and the error still pickles across worker processes.
    """

    exit_code: int = USAGE

    @property
    def message(self) -> str:
        return str(self)


class FileFailed(ArchiveError):
    """One file could not be read, copied or made into thumbnails: the batch goes on.

    Where such an error is caught per file it lands in a report; where one
    escapes a command it still says "some files failed", not "usage error".
    """

    exit_code = FILES_FAILED
