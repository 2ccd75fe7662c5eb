"""The ``index.html`` of a bundle: the gallery as one page that needs nothing else.

Rendered at export time rather than by a script reading ``gallery.json``:
browsers refuse ``fetch`` from ``file://`` pages, and a page opened from a USB
stick must show every photo and caption with no server and no network. All
links are relative; styles are inline; there is no JavaScript.
"""

from __future__ import annotations

from html import escape
from typing import Any

from archive.export import GalleryExport
from archive.iiif import JSON_NAME, MANIFEST_NAME, painted

EAGER = 60  # the first screens load at once; the rest of a large gallery as it is scrolled

_STYLE = """
:root { font-family: system-ui, "Segoe UI", Roboto, "Noto Sans", Arial, sans-serif; color: #222; }
body { margin: 0 auto; max-width: 1400px; padding: 1rem 1.5rem 3rem; background: #fafafa; }
h1 { font-size: 1.6rem; margin: .5rem 0; }
.meta { color: #555; margin: 0 0 1rem; }
.description p { max-width: 70ch; line-height: 1.5; }
.grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(240px, 1fr)); gap: 1rem; }
figure { margin: 0; background: #fff; border: 1px solid #ddd; border-radius: 6px;
         overflow: hidden; }
figure img { display: block; width: 100%; height: auto; background: #eee; }
figcaption { padding: .5rem .7rem .7rem; font-size: .95rem; line-height: 1.35; }
.caption { display: block; }
.units, time { display: block; color: #666; font-size: .85rem; margin-top: .25rem; }
footer { margin-top: 2rem; color: #555; font-size: .85rem; }
"""


def _day(iso: str | None) -> str:
    """2017-12-22 as Vietnamese readers write it: 22/12/2017."""
    if not iso or len(iso) < 10:
        return iso or ""
    return f"{iso[8:10]}/{iso[5:7]}/{iso[0:4]}"


def _moment(taken_at: str) -> str:
    time = taken_at[11:16]
    return f"{_day(taken_at)} {time}".strip()


def _paragraphs(text: str | None) -> str:
    if not text:
        return ""
    parts = [p.strip() for p in text.replace("\r\n", "\n").split("\n\n") if p.strip()]
    body = "".join(f"<p>{escape(p).replace(chr(10), '<br>')}</p>" for p in parts)
    return f'<div class="description">{body}</div>'


def _figure(number: int, photo: dict[str, Any]) -> str:
    caption = photo["caption"] or ""
    thumb, preview = photo["thumbnail"], photo["preview"]
    lines = [f'<figure id="anh-{number}" data-sha256="{photo["sha256"]}">']
    if thumb:
        size = f' width="{thumb["width"]}" height="{thumb["height"]}"' if thumb["width"] else ""
        lazy = ' loading="lazy"' if number > EAGER else ""
        img = f'<img src="{escape(thumb["path"])}"{size}{lazy} alt="{escape(caption)}">'
        lines.append(f'<a href="{escape(preview["path"])}">{img}</a>' if preview else img)
    lines.append("<figcaption>")
    lines.append(f'<span class="caption">{escape(caption) or f"Ảnh {number}"}</span>')
    if photo["units"]:
        names = "; ".join(unit["name"] for unit in photo["units"])
        lines.append(f'<span class="units">{escape(names)}</span>')
    if photo["taken_at"]:
        lines.append(
            f'<time datetime="{escape(photo["taken_at"])}">{_moment(photo["taken_at"])}</time>'
        )
    lines.append("</figcaption></figure>")
    return "".join(lines)


def index_html(export: GalleryExport) -> str:
    """The page: every link relative to the bundle folder, so it opens from file://."""
    gallery = export.gallery
    title = escape(gallery["title"])
    facts = []
    if span := gallery["date_range"]:
        days = _day(span["from"])
        facts.append(days if span["from"] == span["to"] else f"{days} – {_day(span['to'])}")
    if gallery["event"] and gallery["event"]["location"]:
        facts.append(escape(gallery["event"]["location"]))
    facts.append(f"{gallery['count']} ảnh")
    footer = []
    if statement := gallery["required_statement"]:
        footer.append(f"{escape(statement['label'])}: {escape(statement['value'])}")
    if gallery["rights"]:
        footer.append(f'<a href="{escape(gallery["rights"])}">Quyền sử dụng</a>')
    footer.append(f'<a href="{JSON_NAME}">Dữ liệu (JSON)</a>')
    if painted(export):  # else the bundle has no manifest.json (see archive.iiif)
        footer.append(f'<a href="{MANIFEST_NAME}">IIIF manifest</a>')
    footer.append(f"Xuất lúc {escape(gallery['generated_at'])}")
    figures = "\n".join(_figure(n, photo) for n, photo in enumerate(export.photos, start=1))
    return f"""<!doctype html>
<html lang="vi">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>{_STYLE}</style>
</head>
<body>
<header>
<h1>{title}</h1>
<p class="meta">{" · ".join(facts)}</p>
{_paragraphs(gallery["description"])}
</header>
<main class="grid">
{figures}
</main>
<footer>{" · ".join(footer)}</footer>
</body>
</html>
"""
