"""Read a gettext ``.po`` catalog and write its compiled ``.mo``, with the standard library only.

The build (setup.py) compiles the Vietnamese catalog into the wheel with this
module, loaded by its path, so building needs no Babel or GNU gettext; a
checkout (an editable install) has no ``.mo`` and reads the ``.po`` through the
same code, so what a developer sees is always the catalog as edited.
"""

from __future__ import annotations

import ast
import struct
from dataclasses import dataclass, field
from pathlib import Path

# A message's key in a .mo: msgid, or "msgid\0msgid_plural" for a plural entry.
Key = str


@dataclass
class Entry:
    msgid: str = ""
    plural: str | None = None
    strings: dict[int, str] = field(default_factory=dict)  # msgstr, or msgstr[n]
    fuzzy: bool = False
    context: str | None = None

    @property
    def key(self) -> Key:
        base = self.msgid if self.plural is None else f"{self.msgid}\0{self.plural}"
        return base if self.context is None else f"{self.context}\x04{base}"

    @property
    def value(self) -> str:
        return "\0".join(self.strings[n] for n in sorted(self.strings))


def read_po(path: Path) -> list[Entry]:
    """Every entry of the catalog, the header (msgid "") first, obsolete (#~) ones left out."""
    entries: list[Entry] = []
    entry, target, fuzzy = Entry(), None, False
    started = False

    def close() -> None:
        nonlocal entry, started, fuzzy
        if started:
            entry.fuzzy = fuzzy
            entries.append(entry)
        entry, started, fuzzy = Entry(), False, False

    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#~"):
            if not line and started and entry.strings:
                close()
            continue
        if line.startswith("#"):
            if started and entry.strings:
                close()
            if line.startswith("#,") and "fuzzy" in line:
                fuzzy = True
            continue
        keyword, _, rest = line.partition(" ")
        if keyword.startswith('"'):
            text = _unquote(line)
        else:
            text = _unquote(rest)
            if keyword in ("msgctxt", "msgid") and entry.strings:
                close()
            started = True
            target = keyword
        if target == "msgctxt":
            entry.context = (entry.context or "") + text
        elif target == "msgid":
            entry.msgid += text
        elif target == "msgid_plural":
            entry.plural = (entry.plural or "") + text
        elif target == "msgstr":
            entry.strings[0] = entry.strings.get(0, "") + text
        elif target and target.startswith("msgstr["):
            n = int(target[7:-1])
            entry.strings[n] = entry.strings.get(n, "") + text
    close()
    return entries


def _unquote(text: str) -> str:
    """A PO string literal ("…" with C escapes) as the text it stands for."""
    value = ast.literal_eval(text.strip())
    if not isinstance(value, str):
        raise ValueError(f"not a PO string: {text}")
    return value


def mo_bytes(entries: list[Entry]) -> bytes:
    """The GNU .mo file (little-endian, revision 0) of the translated, non-fuzzy entries."""
    pairs = sorted(
        (e.key.encode("utf-8"), e.value.encode("utf-8"))
        for e in entries
        if (e.value or e.msgid == "") and not (e.fuzzy and e.msgid)
    )
    count = len(pairs)
    keys_start = 7 * 4
    values_start = keys_start + count * 8
    data_start = values_start + count * 8
    table_keys, table_values, blob = [], [], b""
    for key, _value in pairs:
        table_keys.append((len(key), data_start + len(blob)))
        blob += key + b"\0"
    for _key, value in pairs:
        table_values.append((len(value), data_start + len(blob)))
        blob += value + b"\0"
    header = struct.pack("<7I", 0x950412DE, 0, count, keys_start, values_start, 0, 0)
    tables = b"".join(struct.pack("<2I", *pair) for pair in table_keys + table_values)
    return header + tables + blob


def compile_po(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(mo_bytes(read_po(source)))
