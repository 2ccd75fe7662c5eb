"""A stand-in for Windows on Linux, for testing only: ``ARCHIVE_WINDOWS_STANDIN=1``.

Put this folder on ``PYTHONPATH`` (as an absolute path) with the variable set,
and every Python process started under it, the test run, the ``archive``
commands the tests start and the ingest's spawned workers alike, behaves as on
Windows in the two ways the archive could notice:

- the POSIX-only modules (fcntl, resource, pwd, grp, termios) cannot be imported
  by the project's own code (archive/, ingest/, tests/), nor ``os.fork`` and its
  kin taken with ``from os import``; the standard library and installed
  packages still use them, as they would not on Windows, since they check
  ``sys.platform`` (which still says linux) and would break otherwise;
- ``multiprocessing.get_all_start_methods()`` offers only ``spawn``.

The variable unset, importing this module changes nothing.
"""

from __future__ import annotations

import builtins
import os
from pathlib import Path

POSIX_ONLY_MODULES = frozenset({"fcntl", "resource", "pwd", "grp", "termios"})
POSIX_ONLY_NAMES = {
    "os": frozenset({"fork", "forkpty", "killpg", "getuid", "geteuid", "setsid"}),
    "signal": frozenset({"SIGKILL"}),
}
PROJECT = Path(__file__).resolve().parents[2]
_OURS = tuple(str(PROJECT / name) + os.sep for name in ("archive", "ingest", "tests"))


def _ours(importer: dict | None) -> bool:
    """Whether the module doing the import is the project's own code."""
    file = (importer or {}).get("__file__") or ""
    return file.startswith(_OURS)


def _install() -> None:
    original_import = builtins.__import__

    def windows_import(name, globals=None, locals=None, fromlist=(), level=0):
        if level == 0 and _ours(globals):
            top = name.partition(".")[0]
            if top in POSIX_ONLY_MODULES:
                raise ModuleNotFoundError(f"No module named {name!r} (Windows stand-in)", name=name)
            hidden = POSIX_ONLY_NAMES.get(name, frozenset()) & set(fromlist or ())
            if hidden:
                raise ImportError(
                    f"cannot import {sorted(hidden)} from {name!r} (Windows stand-in)"
                )
        return original_import(name, globals, locals, fromlist, level)

    builtins.__import__ = windows_import

    import multiprocessing

    multiprocessing.get_all_start_methods = lambda: ["spawn"]


if os.environ.get("ARCHIVE_WINDOWS_STANDIN") == "1":
    _install()
