"""Read what staff put beside the photos of an event: event.yml, a caption sheet, an article.

Caption sheets live in ``ingest.captions``, the article in ``ingest.article``, and the
decoding and value parsing they share in ``ingest.textfile``; everything is re-exported here,
the one module callers import.

These files are typed by hand in Notepad and Excel on Vietnamese Windows, so the readers take
the encodings, header spellings and date styles those tools produce, hand back NFC text (via
``clean``), and turn anything unusable into one ManifestError line naming the file: the pipeline
records it and goes on with the batch (DESIGN principle 5).

Decisions a caller relies on:
- Keys and column headers match folded, punctuation ignored: ``Tên tệp``, ``ten_tep``, ``TEN TEP``.
- Units split on ``;`` and line breaks (Alt+Enter in a cell); tags also on ``,``. Duplicates by
  ``fold`` are dropped, the first spelling kept.
- Dates are ISO; slashed dates are day-first (22/12/2017), as Vietnamese write them.
- Multi-paragraph descriptions keep their paragraphs, joined by one blank line.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from archive.dates import why_not
from archive.i18n import _
from archive.text import clean, nfc, slugify
from ingest.article import Article, read_article
from ingest.captions import CaptionRow, CaptionSheet, looks_like_sheet, read_caption_sheet
from ingest.textfile import (
    TAG_NAMES,
    UNIT_NAMES,
    ManifestError,
    aliases,
    match_key,
    paragraphs,
    parse_when,
    read_text,
    scalar_text,
    split_list,
)

__all__ = [
    "CAPTION_SLOTS",
    "Article",
    "CaptionRow",
    "CaptionSheet",
    "EventInfo",
    "ManifestError",
    "Manifests",
    "find_manifests",
    "looks_like_sheet",
    "read_article",
    "read_caption_sheet",
    "read_event_yml",
]

_EVENT_KEYS = aliases(
    {
        "title": ("title", "name", "tieu de", "ten su kien"),
        "date": ("date", "ngay", "ngay to chuc", "thoi gian"),
        "location": ("location", "place", "dia diem", "noi to chuc"),
        "organizer": ("organizer", "organiser", "don vi to chuc", "co quan to chuc", "ban to chuc"),
        "description": ("description", "mo ta", "noi dung", "tom tat"),
        "units": UNIT_NAMES,
        "tags": TAG_NAMES,
        "slug": ("slug",),
    }
)
_KNOWN_KEYS = (
    "title/tiêu đề, date/ngày, location/địa điểm, organizer/đơn vị tổ chức, "
    "description/mô tả, units/đơn vị, tags/thẻ, slug"
)


def _description(text: str | None) -> str | None:
    """Keep paragraph breaks (a blank line) but collapse everything else, as clean() does."""
    if text is None:
        return None
    return "\n\n".join(paragraphs(text.split("\n"))) or None


# --- event.yml -------------------------------------------------------------------------------


@dataclass(frozen=True)
class EventInfo:
    """What event.yml says about the event; None where it says nothing."""

    title: str | None
    date: str | None
    location: str | None
    organizer: str | None
    description: str | None
    units: tuple[str, ...]
    tags: tuple[str, ...]
    slug: str | None
    source: str


def read_event_yml(path: Path) -> EventInfo:
    """Read event.yml; an empty file is a valid event with nothing said (it marks the folder).

    Unknown keys are an error rather than ignored: a misspelt key would otherwise silently lose
    the title or date staff meant to give.
    """
    values = _event_values(_load_yaml(path), path)
    return EventInfo(
        title=_text_value(values, "title", path),
        date=_date_value(values.get("date"), path),
        location=_text_value(values, "location", path),
        organizer=_text_value(values, "organizer", path),
        description=_description(_text_value(values, "description", path, keep_lines=True)),
        units=_list_value(values, "units", ";", path),
        tags=_list_value(values, "tags", ";,", path),
        slug=_slug_value(values, path),
        source=str(path),
    )


_MAX_NESTING = 20  # event.yml is "key: value" lines and lists; deeper is not an event


def _nesting_within_bounds(text: str, path: Path) -> None:
    """Refuse lists and mappings nested deeper than _MAX_NESTING before PyYAML builds them.

    PyYAML's parser keeps its own stack, but its composer recurses once per level: 3,000
    unclosed '[' took seconds to end in a RecursionError. Counting the parser's events costs
    a second pass over a file of a few lines.
    """
    import yaml

    depth = 0
    for event in yaml.parse(text, Loader=yaml.SafeLoader):
        if isinstance(event, yaml.SequenceStartEvent | yaml.MappingStartEvent):
            depth += 1
            if depth > _MAX_NESTING:
                raise ManifestError(
                    path,
                    _("invalid YAML: lists or mappings nested more than {depth} deep").format(
                        depth=_MAX_NESTING
                    ),
                )
        elif isinstance(event, yaml.SequenceEndEvent | yaml.MappingEndEvent):
            depth -= 1


def _load_yaml(path: Path) -> dict[Any, Any]:
    """Parse YAML into a mapping, reporting the line YAML blames.

    PyYAML is imported here, by the first event.yml read: a run over folders that
    have none (a camera's dump, a re-run of one) never loads it.
    """
    import yaml

    text = read_text(path)
    try:
        _nesting_within_bounds(text, path)
        data = yaml.safe_load(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context
        if mark:
            said = _("invalid YAML at line {line}: {problem}").format(
                line=mark.line + 1, problem=problem
            )
        else:
            said = _("invalid YAML: {problem}").format(problem=problem)
        raise ManifestError(path, said) from exc
    except yaml.YAMLError as exc:
        raise ManifestError(path, _("invalid YAML: {problem}").format(problem=exc)) from exc
    except RecursionError as exc:  # a backstop: _nesting_within_bounds refuses deep nesting
        raise ManifestError(path, _("invalid YAML: lists or mappings nested too deeply")) from exc
    except ValueError as exc:  # 2017-12-32, or an explicit !!int 'x', fails inside the loader
        raise ManifestError(
            path, _("impossible date or number: {problem}").format(problem=exc)
        ) from exc
    except Exception as exc:  # PyYAML's constructors fail many ways on tagged values:
        # !!timestamp 'x' (AttributeError), !!bool maybe (KeyError), found by fuzzing.
        raise ManifestError(
            path, _("invalid YAML value: {problem}").format(problem=f"{type(exc).__name__}: {exc}")
        ) from exc
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ManifestError(
            path, _("expected 'key: value' lines, found a {kind}").format(kind=_kind(data))
        )
    return data


def _event_values(data: dict[Any, Any], path: Path) -> dict[str, tuple[str, Any]]:
    """Map each key (English or Vietnamese) to its field, keeping the key as written for errors."""
    values: dict[str, tuple[str, Any]] = {}
    for raw_key, value in data.items():
        key = nfc(str(raw_key))
        name = _EVENT_KEYS.get(match_key(key))
        if name is None:
            raise ManifestError(
                path,
                _("unknown key '{key}' (known keys: {known})").format(key=key, known=_KNOWN_KEYS),
            )
        if name in values:
            raise ManifestError(
                path,
                _("'{first}' and '{second}' both give the {field}").format(
                    first=values[name][0], second=key, field=name
                ),
            )
        values[name] = (key, value)
    return values


def _kind(value: Any) -> str:
    """Name a YAML value's type the way staff think of it."""
    if isinstance(value, bool):
        return "yes/no value"
    if isinstance(value, dict):
        return "mapping"
    if isinstance(value, list):
        return "list"
    if isinstance(value, date):
        return "date"
    return "number" if isinstance(value, int | float) else type(value).__name__


def _is_text(value: Any) -> bool:
    """Strings and numbers are text ("title: 2018" is fine); yes/no, lists, dates are not."""
    return isinstance(value, str | int | float) and not isinstance(value, bool)


def _text_value(
    values: dict[str, tuple[str, Any]], name: str, path: Path, keep_lines: bool = False
) -> str | None:
    key, value = values.get(name, (name, None))
    if value is None:
        return None
    if not _is_text(value):
        raise ManifestError(
            path, _("'{key}' must be text, not a {kind}").format(key=key, kind=_kind(value))
        )
    return nfc(scalar_text(value)) if keep_lines else clean(scalar_text(value))


def _date_value(entry: tuple[str, Any] | None, path: Path) -> str | None:
    """The event's day; a time given with it is dropped, the event is filed by day."""
    if entry is None or entry[1] is None:
        return None
    key, value = entry
    when = parse_when(value) if isinstance(value, str | date) else None
    if when is None:
        why = why_not(value) if isinstance(value, str) else ""
        detail = why.partition(": ")[2] if ": " in why else ""
        raise ManifestError(
            path,
            (
                _("'{key}': {value} is not a date: {detail} (write 2017-12-22 or 22/12/2017)")
                if detail
                else _("'{key}': {value} is not a date (write 2017-12-22 or 22/12/2017)")
            ).format(key=key, value=repr(value), detail=detail),
        )
    return when[:10]


def _list_value(
    values: dict[str, tuple[str, Any]], name: str, separators: str, path: Path
) -> tuple[str, ...]:
    key, value = values.get(name, (name, None))
    items = value if isinstance(value, list) else [value]
    bad = next((item for item in items if item is not None and not _is_text(item)), None)
    if bad is not None:
        raise ManifestError(
            path,
            _("'{key}' must be text or a list of text, not a {kind}").format(
                key=key, kind=_kind(bad)
            ),
        )
    return split_list(items, separators)


def _slug_value(values: dict[str, tuple[str, Any]], path: Path) -> str | None:
    """A slug given by hand is slugified, so "Học tập 2018" still makes a valid URL."""
    text = _text_value(values, "slug", path)
    if text is None:
        return None
    slug = slugify(text)
    if not slug:
        raise ManifestError(path, _("slug {slug} has no letters or digits").format(slug=repr(text)))
    return slug


# --- which manifests a folder holds ----------------------------------------------------------

_MANIFEST_NAMES = {
    "event.yml": "event",
    "event.yaml": "event",
    "captions.csv": "captions_csv",
    "captions.xlsx": "captions_xlsx",
    "captions.xls": "captions_xls",
    "captions.tsv": "captions_tsv",
    "captions.txt": "captions_txt",  # Excel's "Unicode Text": UTF-16, tab-separated
    "article.txt": "article",
}
CAPTION_SLOTS = ("captions_xlsx", "captions_xls", "captions_csv", "captions_tsv", "captions_txt")
"""The caption sheets a folder may hold, the one read first: the workbooks staff edit, then
what Excel exports from them."""


@dataclass(frozen=True)
class Manifests:
    """The manifests found in one folder; any of them makes the folder an event folder."""

    folder: Path
    event: Path | None = None
    captions_csv: Path | None = None
    captions_xlsx: Path | None = None
    article: Path | None = None
    captions_xls: Path | None = None
    captions_tsv: Path | None = None
    captions_txt: Path | None = None

    @property
    def sheets(self) -> tuple[Path, ...]:
        """Every caption sheet here, the one that is read first (see CAPTION_SLOTS)."""
        return tuple(p for p in (getattr(self, slot) for slot in CAPTION_SLOTS) if p)

    @property
    def captions(self) -> Path | None:
        """The caption sheet to read: a workbook wins over an export, being what staff edit."""
        return next(iter(self.sheets), None)

    @property
    def is_event(self) -> bool:
        return bool(self.event or self.article or self.sheets)


def find_manifests(folder: Path, names: Iterable[str] | None = None) -> Manifests:
    """Find manifests by case-insensitive name; with two spellings, the first in sort order wins.

    names: the folder's entries when the caller has listed it already (a walk
    does), so a folder of photos is not listed twice. Only the names that are
    manifests become paths: a camera folder holds hundreds of names and no manifest.
    """
    if names is None:
        try:
            names = os.listdir(folder)
        except (FileNotFoundError, NotADirectoryError):
            return Manifests(folder)
    candidates = sorted(folder / name for name in names if nfc(name).casefold() in _MANIFEST_NAMES)
    found: dict[str, Path] = {}
    for entry in candidates:
        slot = _MANIFEST_NAMES[nfc(entry.name).casefold()]
        if slot not in found and entry.is_file():
            found[slot] = entry
    return Manifests(folder, **found)
