"""Which photo each caption-sheet row names, in one event folder.

Staff type file names as Windows Explorer shows them: any case, often without
the extension, sometimes with the folder in front (``anh\\IMG_0001.JPG``) or
the whole path pasted from the address bar (``D:\\Anh\\Hoi nghi\\IMG_0001.JPG``).
Folders reach the archive from Windows shares, Macs (NFD names) and phones.
So a row is matched by the strictest of these that finds anything:

1. the path relative to the event folder, exactly (NFC, so NFD names match);
2. the same, case, tone placement and spacing made equal (``exact_key``);
3. the row's path ends with a photo's relative path (a pasted full path);
4. the relative path without its extension;
5. the bare file name, then the bare name without its extension.

A row that fits more than one photo at its strictest level is not applied (a
caption on the wrong photo is worse than none) and says so; a looser level is
never tried then. On Windows ``IMG_0001.JPG`` and ``img_0001.jpg`` cannot both
exist, but a folder copied onto Linux may hold both, and two subfolders may
each hold an ``IMG_0001.JPG``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from archive.i18n import _
from archive.text import exact_key, nfc
from ingest.captions import CaptionRow, CaptionSheet
from ingest.sources import FoundPhoto

_SHOWN = 3  # candidates named in a warning


@dataclass
class SheetMatch:
    """Rows by the photo they name (FoundPhoto.key), and what the sheet said that fits nothing."""

    rows: dict[str, CaptionRow] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


def _without_suffix(name: str) -> str:
    return name[: len(name) - len(PurePosixPath(name).suffix)]


def _bare(path: str) -> str:
    return path.rsplit("/", 1)[-1]


def _parts(text: str) -> list[str]:
    """A row's path in folded parts, less a drive (``C:``), a share and ``.``."""
    parts = [p for p in exact_key(text).replace("\\", "/").split("/") if p not in ("", ".")]
    if parts and len(parts[0]) == 2 and parts[0][1] == ":":
        parts = parts[1:]
    return parts


# Each level: how a photo's relative path is keyed, and how a row's file is.
_Key = Callable[[str], Iterable[str]]
_LEVELS: tuple[tuple[_Key, _Key], ...] = (
    (lambda rel: [rel], lambda file: [nfc(file)]),
    (lambda rel: [exact_key(rel)], lambda file: ["/".join(_parts(file))]),
    (
        lambda rel: [exact_key(rel)],
        lambda file: ["/".join(_parts(file)[i:]) for i in range(1, len(_parts(file)))],
    ),
    (lambda rel: [_without_suffix(exact_key(rel))], lambda file: ["/".join(_parts(file))]),
    (lambda rel: [_bare(exact_key(rel))], lambda file: ["/".join(_parts(file))]),
    (lambda rel: [_without_suffix(_bare(exact_key(rel)))], lambda file: ["/".join(_parts(file))]),
)


def match_rows(sheet: CaptionSheet, photos: list[FoundPhoto]) -> SheetMatch:
    """Each row to the one photo it names; ambiguous and unmatched rows become warnings."""
    indexes = []
    for photo_keys, _row_keys in _LEVELS:
        index: dict[str, list[FoundPhoto]] = defaultdict(list)
        for photo in photos:
            for key in photo_keys(photo.relative):
                index[key].append(photo)
        indexes.append(index)
    result = SheetMatch()
    chosen: dict[str, tuple[int, CaptionRow]] = {}  # photo key -> (level, row)
    for row in sheet.rows:
        found = _candidates(row, indexes)
        if found is None:
            result.warnings.append(
                _("row {row}: no photo named {file} in this folder").format(
                    row=row.line, file=repr(row.file)
                )
            )
            continue
        level, candidates = found
        if len(candidates) > 1:
            names = ", ".join(sorted(p.relative for p in candidates)[:_SHOWN])
            if len(candidates) > _SHOWN:
                names = _("{names} and {count} more").format(
                    names=names, count=len(candidates) - _SHOWN
                )
            result.warnings.append(
                _(
                    "row {row}: {file} could be any of {count} photos"
                    " ({names}); not applied: write the name as it is on disk"
                ).format(row=row.line, file=repr(row.file), count=len(candidates), names=names)
            )
            continue
        photo = candidates[0]
        earlier = chosen.get(photo.key)
        if earlier is not None:
            # The stricter name wins; at the same level the later row, as for repeated rows.
            first, second = sorted((earlier, (level, row)), key=lambda c: (c[0], -c[1].line))
            result.warnings.append(
                _(
                    "row {row}: {file} and row {other_row}: {other_file}"
                    " both name {photo}; row {used} is used"
                ).format(
                    row=row.line,
                    file=repr(row.file),
                    other_row=earlier[1].line,
                    other_file=repr(earlier[1].file),
                    photo=photo.relative,
                    used=first[1].line,
                )
            )
            level, row = first
        chosen[photo.key] = (level, row)
    result.rows = {key: row for key, (_level, row) in chosen.items()}
    return result


def _candidates(
    row: CaptionRow, indexes: list[dict[str, list[FoundPhoto]]]
) -> tuple[int, list[FoundPhoto]] | None:
    """The strictest level at which the row names any photo, and the photos it names there."""
    for level, ((_level_name, row_keys), index) in enumerate(zip(_LEVELS, indexes, strict=True)):
        for key in row_keys(row.file):
            if key and index.get(key):
                return level, _unique(index[key])
    return None


def _unique(photos: list[FoundPhoto]) -> list[FoundPhoto]:
    return list({photo.key: photo for photo in photos}.values())
