"""The ``index.html`` of a bundle: the gallery as one page that needs nothing else.

Rendered at export time rather than by a script reading ``gallery.json``:
browsers refuse ``fetch`` from ``file://`` pages, and a page opened from a USB
stick must show every photo and caption with no server and no network. All
links are relative; styles are inline; there is no JavaScript.

The markup is the Jinja template ``archive/templates/bundle_index.html``,
shipped in the package, rendered with autoescaping on: captions, unit names
and photographers are typed by people (and read from files' metadata), so
every one of them is text on the page, never markup. Which facts a photo's
card lists beyond its caption, units and time is :mod:`archive.fields`'
declaration (the photo page's labelled list, ``page="list"``), read from the
export's records, so the page shows what the JSON holds, archive-wide
defaults (the credit setting) filled in as the export fills them.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from archive import fields
from archive.dates import duration_text
from archive.export import GalleryExport
from archive.iiif import JSON_NAME, MANIFEST_NAME, painted

EAGER = 60  # the first screens load at once; the rest of a large gallery as it is scrolled
TEMPLATE = "bundle_index.html"
_TEMPLATES = Path(__file__).with_name("templates")

# Labelled facts of a photo's card, in declared order: those with a top-level key of
# their own in the JSON record (a nested one, like original.name, is not a fact to list).
SHOWN: tuple[fields.Field, ...] = tuple(
    f for f in fields.PAGE_LIST if f.label and f.export and "." not in f.export
)


def day(iso: str | None) -> str:
    """2017-12-22 as Vietnamese readers write it: 22/12/2017."""
    if not iso or len(iso) < 10:
        return iso or ""
    return f"{iso[8:10]}/{iso[5:7]}/{iso[0:4]}"


def moment(taken_at: str) -> str:
    """A photo's time as the page shows it: 22/12/2017 08:30."""
    return f"{day(taken_at)} {taken_at[11:16]}".strip()


@lru_cache(maxsize=1)
def environment() -> Environment:
    """One Jinja environment per process: it compiles the template once, not per export.

    StrictUndefined makes a misspelt key an error at export time (and in the
    tests) instead of a silently empty caption on a stick handed out.
    """
    env = Environment(
        loader=FileSystemLoader(_TEMPLATES),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["day"] = day
    env.filters["moment"] = moment
    env.filters["duration"] = duration_text
    return env


def _facts(gallery: Mapping[str, Any], photos: list[dict[str, Any]]) -> list[str]:
    """The line under the title: the days, the place, how many photos (and clips)."""
    facts = []
    if span := gallery["date_range"]:
        days = day(span["from"])
        facts.append(days if span["from"] == span["to"] else f"{days} – {day(span['to'])}")
    if gallery["event"] and gallery["event"]["location"]:
        facts.append(gallery["event"]["location"])
    clips = sum(1 for photo in photos if photo.get("type") == "video")
    counted = f"{gallery['count'] - clips} ảnh"
    facts.append(f"{counted}, {clips} video" if clips else counted)
    return facts


def _paragraphs(text: str | None) -> list[list[str]]:
    """The description as paragraphs (blank-line separated) of lines (kept as line breaks)."""
    if not text:
        return []
    parts = [p.strip() for p in text.replace("\r\n", "\n").split("\n\n") if p.strip()]
    return [part.split("\n") for part in parts]


def index_html(export: GalleryExport) -> str:
    """The page: every link relative to the bundle folder, so it opens from file://."""
    gallery = export.gallery
    return (
        environment()
        .get_template(TEMPLATE)
        .render(
            gallery=gallery,
            facts=_facts(gallery, export.photos),
            paragraphs=_paragraphs(gallery["description"]),
            photos=export.photos,
            # A --public export leaves some fields out of every record: not listed then.
            shown=[f for f in SHOWN if f in fields.exported(gallery["public"])],
            eager=EAGER,
            json_name=JSON_NAME,
            # Without a Canvas the bundle has no manifest.json (see archive.iiif).
            manifest_name=MANIFEST_NAME if painted(export) else None,
        )
    )
