"""sqlite-utils, imported without numpy and pandas, which it imports only to name their types.

When it is imported, sqlite-utils imports numpy (and pandas, where installed)
for one purpose: to map their scalar types to column types when it creates a
table from the values it is given. The archive creates every table with SQL
(the migrations in :mod:`archive.db`) and hands sqlite-utils only Python
values, so that mapping is never consulted; numpy's import, though, costs about
90 ms, a sixth of an unchanged re-run of ``archive ingest`` (which reads no
file and needs no fingerprint) and of every other command's start. Blocked
for the moment sqlite-utils is imported, they fail as if not installed, which
sqlite-utils supports; anything that needs numpy later (the fingerprints)
imports it as usual. Every module of the project imports sqlite-utils from
here (tests/test_rescan.py holds them to it), or the first one imported would
bring numpy along.
"""

from __future__ import annotations

import sys

UNUSED = ("numpy", "pandas")


def _import_sqlite_utils() -> None:
    if "sqlite_utils.db" in sys.modules:
        return
    blocked = [name for name in UNUSED if name not in sys.modules]
    for name in blocked:
        sys.modules[name] = None  # type: ignore[assignment]  # import fails: "not installed"
    try:
        import sqlite_utils.db  # noqa: F401
    finally:
        for name in blocked:
            if name in sys.modules and sys.modules[name] is None:
                del sys.modules[name]


_import_sqlite_utils()

from sqlite_utils import Database, Migrations  # noqa: E402

__all__ = ["Database", "Migrations"]
