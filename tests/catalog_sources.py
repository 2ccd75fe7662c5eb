"""The English sentences the Vietnamese catalog must translate, gathered from the code.

Three sources: the ``_()``/``N_()``/``ngettext()`` calls of the archive and
ingest packages (extracted by Babel), the help texts of every command (read
from the live command tree: docstrings cannot be wrapped in ``_()``), and
click's own messages (extracted from the installed click). The catalog test
compares the .po with this; ``python -m tests.catalog_sources`` brings the .po
up to date (new sentences arrive untranslated, for a translator to fill in).
"""

from __future__ import annotations

import sys
from pathlib import Path

import click
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

PROJECT = Path(__file__).resolve().parent.parent
PO = PROJECT / "archive" / "locale" / "vi" / "LC_MESSAGES" / "archive.po"
Message = str | tuple[str, str]


def _extracted(folder: Path) -> list[tuple[Message, str]]:
    found = []
    for filename, lineno, message, _comments, _context in extract_from_dir(
        folder, method_map=[("**.py", "python")]
    ):
        found.append((message, f"{folder.name}/{filename}:{lineno}"))
    return found


def sources() -> list[tuple[Message, str]]:
    """(msgid or (singular, plural), where) for every sentence, in a stable order."""
    from archive.cli import cli
    from archive.i18n import help_texts

    found = _extracted(PROJECT / "archive") + _extracted(PROJECT / "ingest")
    found += [(text, "help") for text in help_texts(cli)]
    found += _extracted(Path(click.__file__).parent)
    return found


def msgids() -> set[Message]:
    return {message for message, _where in sources()}


def template() -> Catalog:
    catalog = Catalog(project="ward-photo-archive", fuzzy=False)
    for message, where in sources():
        path, _, line = where.partition(":")
        catalog.add(message, locations=[(path, int(line))] if line else [])
    return catalog


def update() -> None:
    """Merge the sentences of the code into the Vietnamese catalog (pybabel update, no fuzzy)."""
    with PO.open("rb") as handle:
        catalog = read_po(handle, locale="vi")
    catalog.update(template(), no_fuzzy_matching=True)
    with PO.open("wb") as handle:
        write_po(handle, catalog, width=100, omit_header=False, ignore_obsolete=True)


if __name__ == "__main__":
    if not PO.exists():
        PO.parent.mkdir(parents=True, exist_ok=True)
        with PO.open("wb") as handle:
            write_po(handle, Catalog(locale="vi", project="ward-photo-archive"))
    update()
    sys.exit(0)
