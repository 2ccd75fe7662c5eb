"""The photo grid of the event and unit pages written in Python, as the macro writes it.

The ``photo_grid`` macro of ``_archive_macros.html`` is the grid's plain
definition. Rendered even by the synchronous twin (:mod:`archive.web.sync_macros`),
it escaped each of some 1,400 values of an event page's 100 cards and
lightboxes into a ``Markup`` object of its own, and that and the macro's
lookups were most of the page's time. Here each value is escaped to a plain
string (:func:`archive.web.html_text.escaped`) and the pieces joined once;
tests/test_web_sync_macros.py holds the output to the macro's, byte for byte,
on real cards, a clip, a group and a caption that tries markup.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any, NamedTuple

from markupsafe import Markup

from archive.web.html_text import escaped
from archive.web.media import duration_text
from archive.web.site import vn_datetime

Card = Mapping[str, Any]

NO_CAPTION = "(chưa có chú thích)"
PHOTO_ALT = "Ảnh chưa có chú thích"
VIDEO_ALT = "Video chưa có chú thích"


def photo_grid(
    photos: Iterable[Card], lightbox: bool = False, *, badge: Callable[[Card], Any]
) -> Markup:
    """The grid's ``<ul>`` of cards and, with ``lightbox``, each still's large view.

    ``badge`` writes a group's badge (the ``group_badge`` macro): only cards of
    a near-duplicate group have one, a few a page.
    """
    shown = [(card, _Texts.of(card)) for card in photos]
    out = ['\n<ul class="archive-grid">\n']
    out.extend(_card(card, texts, lightbox, badge) for card, texts in shown)
    out.append("\n</ul>\n")
    if lightbox:
        out.append("\n")
        out.extend(
            _large_view(card, texts) for card, texts in shown if card.get("media_type") != "video"
        )
        out.append("\n")
    out.append("\n")
    return Markup("".join(out))


class _Texts(NamedTuple):
    """A card's id, address and caption escaped once: the card and its large view show
    the caption up to five times (alt texts, captions), and escaping was a tenth of
    an event page."""

    photo_id: str
    url: str
    caption: str | None  # None without a caption: each place then says so its own way

    @classmethod
    def of(cls, card: Card) -> _Texts:
        caption = card.get("caption")
        return cls(
            escaped(card.get("id")), escaped(card.get("url")), escaped(caption) if caption else None
        )


def _card(card: Card, texts: _Texts, lightbox: bool, badge: Callable[[Card], Any]) -> str:
    """One ``<li>``: the thumbnail (a clip's with its length), the caption, the time."""
    photo_id, url, caption = texts
    thumb = escaped(card.get("thumb_url"))
    if card.get("media_type") == "video":
        duration = card.get("duration")
        length = ""
        if duration is not None:
            length = (
                '<span class="archive-duration" title="Thời lượng">'
                f"{escaped(duration_text(duration))}</span>"
            )
        picture = (
            f'<a class="archive-thumb archive-video" href="{url}" title="Xem video">\n'
            f'                <img src="{thumb}" alt="{VIDEO_ALT if caption is None else caption}"'
            ' loading="lazy">\n'
            '                <span class="archive-play" aria-hidden="true">▶</span>\n'
            f"                {length}\n"
            "            </a>\n            "
        )
    else:
        href = f"#xem-{photo_id}" if lightbox else url
        title = "Xem ảnh lớn" if lightbox else "Xem chi tiết ảnh"
        picture = (
            "\n"
            f'            <a class="archive-thumb" href="{href}"\n'
            f'                title="{title}">\n'
            f'                <img src="{thumb}" alt="{PHOTO_ALT if caption is None else caption}"'
            ' loading="lazy">\n'
            "            </a>\n            "
        )
    taken_at = card.get("taken_at")
    when = f"<br><small>{escaped(vn_datetime(taken_at))}</small>" if taken_at else ""
    group = str(badge(card)) if card.get("group") else ""
    return (
        f'\n    <li id="anh-{photo_id}">\n        <figure>\n            {picture}\n'
        "            <figcaption>\n"
        f'                <a href="{url}">{NO_CAPTION if caption is None else caption}</a>\n'
        f"                {when}\n"
        "            </figcaption>\n"
        f"            {group}\n"
        "        </figure>\n    </li>\n"
    )


def _large_view(card: Card, texts: _Texts) -> str:
    """A still's lightbox: the preview, its caption and a link to the photo's page."""
    photo_id, url, caption = texts
    return (
        f'\n<div class="archive-lightbox" id="xem-{photo_id}" role="dialog" aria-label="Ảnh lớn">\n'
        f'    <a class="archive-lightbox-close" href="#anh-{photo_id}" title="Đóng">&times;</a>\n'
        "    <figure>\n"
        f'        <img src="{escaped(card.get("preview_url"))}"'
        f' alt="{PHOTO_ALT if caption is None else caption}" loading="lazy">\n'
        f"        <figcaption>{'' if caption is None else caption} · "
        f'<a href="{url}">Chi tiết ảnh</a></figcaption>\n'
        "    </figure>\n</div>\n"
    )
