"""article.txt: the ward's news post about the event, as its website publishes it.

The first line is the title, the paragraphs up to "Một số hình ảnh" the event's
description, and the lines after it the photo captions in file-name order. The
view counter under the title and trailing bylines ("Ban biên tập", "Tin, ảnh: …")
are the website's, not the event's, and are dropped. Re-exported by
:mod:`ingest.manifest`, which callers import.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from archive.i18n import _
from archive.text import clean, fold
from ingest.textfile import ManifestError, paragraphs, read_text

_PHOTOS_MARKER = "mot so hinh anh"
_VIEW_COUNTER = re.compile(r"\d[\d.,\s]*")
_BYLINE_NAMES = {"ban bien tap", "bbt"}
_BYLINE_PREFIX = re.compile(r"(nguon|tac gia|(tin|bai)((, ?| va )anh)?)\s*:")


@dataclass(frozen=True)
class Article:
    """A ward news post: the event's title, its description and the photo captions in order."""

    title: str
    description: str | None
    captions: tuple[str, ...]
    source: str


def read_article(path: Path) -> Article:
    """Read a news post laid out as the ward website publishes it (see examples/README.md)."""
    lines = [line.strip() for line in read_text(path).split("\n")]
    start = next((i for i, line in enumerate(lines) if line), None)
    if start is None:
        raise ManifestError(path, _("empty article: no title line"))
    body = _drop_view_counter(lines[start + 1 :])
    marker = next((i for i, line in enumerate(body) if _is_photos_marker(line)), None)
    if marker is None:
        description, captions = _drop_byline(paragraphs(body)), []
    else:
        description = paragraphs(body[:marker])
        captions = _drop_byline([text for text in map(clean, body[marker + 1 :]) if text])
    return Article(
        title=clean(lines[start]) or "",
        description="\n\n".join(description) or None,
        captions=tuple(captions),
        source=str(path),
    )


def _drop_view_counter(body: list[str]) -> list[str]:
    """The website prints its view count under the title; it is not part of the event."""
    first = next((i for i, line in enumerate(body) if line), None)
    if first is not None and _VIEW_COUNTER.fullmatch(body[first]):
        return body[first + 1 :]
    return body


def _is_photos_marker(line: str) -> bool:
    return fold(line).startswith(_PHOTOS_MARKER)


def _drop_byline(items: list[str]) -> list[str]:
    """Remove trailing signature lines ("Ban biên tập", "BBT", "Nguồn: ...", "Tin, ảnh: ...")."""
    while items and _is_byline(items[-1]):
        items = items[:-1]
    return items


def _is_byline(text: str) -> bool:
    folded = fold(text).strip(" .-–—")
    return folded in _BYLINE_NAMES or _BYLINE_PREFIX.match(folded) is not None
