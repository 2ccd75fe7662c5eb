"""A gallery as a IIIF Presentation 3.0 Manifest, so any IIIF viewer can show it.

Made from the gallery JSON (:mod:`archive.export`), never from the catalog,
so the manifest shows exactly the photos and captions of the JSON beside it.
Each photo is one Canvas the size of the original, painted with its 1280 px
preview and with its 320 px thumbnail; no IIIF Image service is needed, the
files are static and can sit on any web server or USB stick. A clip's Canvas
has its ``duration`` and is painted with a ``Video``: the file the JSON says
it plays from (a clip with none is painted with its poster, as a still).

IIIF ids must be HTTP(S) URIs, so a manifest needs to know where its files
will be published (``base_url``: ``--base-url`` or the ``base_url`` setting).
The layout under it is the bundle's: ``manifest.json``, ``gallery.json`` and
``thumbs/...``. Only a bundle may be made without one; its manifest then
uses links relative to the bundle folder, which viewers placed in that folder
resolve but validators (rightly) reject.

Presentation 3 requires a Manifest to hold at least one Canvas, so a gallery
with nothing to paint (no photos, none public, or none with a preview) has
no manifest: :func:`manifest` refuses it with :class:`EmptyManifestError`.
"""

from __future__ import annotations

import json
import re
from typing import Any

from archive import fields
from archive.errors import ArchiveError
from archive.export import GalleryExport

CONTEXT = "http://iiif.io/api/presentation/3/context.json"
MANIFEST_NAME = "manifest.json"
JSON_NAME = "gallery.json"
LANGUAGE = "vi"
DEFAULT_OFFSET = "+07:00"  # Vietnam; used when no photo says otherwise

_OFFSET = re.compile(r"([+-]\d{2}:\d{2}|Z)$")


class EmptyManifestError(ArchiveError):
    """The export has nothing to paint, and a Manifest without Canvases is not IIIF."""


def painted(export: GalleryExport) -> list[dict[str, Any]]:
    """The photos that become Canvases: those with a preview to paint them with."""
    return [photo for photo in export.photos if photo["preview"]]


def empty_reason(export: GalleryExport) -> str | None:
    """Why export would make a Manifest with no Canvas, for the user; None when it would not."""
    gallery = export.gallery
    name = f"{gallery['kind']} {gallery['slug']}"
    if not export.photos:
        return f"{name} has no {'public photos' if gallery['public'] else 'photos'}"
    if not painted(export):
        return f"none of the {len(export.photos)} photos of {name} has a preview (archive verify)"
    return None


def _vi(*texts: str) -> dict[str, list[str]]:
    return {LANGUAGE: list(texts)}


def _pair(label: str, values: list[str], language: str = LANGUAGE) -> dict[str, Any]:
    return {"label": _vi(label), "value": {language: values}}


def _image(image: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": image.get("url") or image["path"],
        "type": "Image",
        "format": "image/jpeg",
        "width": image["width"],
        "height": image["height"],
    }


def _video(playback: dict[str, Any], duration: float) -> dict[str, Any]:
    """A clip's painting body: the file it plays from, typed by its MIME type."""
    return {
        "id": playback.get("url") or playback["path"],
        "type": "Video",
        "format": playback["format"],
        "width": playback["width"],
        "height": playback["height"],
        "duration": duration,
    }


def _nav_date(export: GalleryExport) -> str | None:
    """The event's day (else the first day photographed) at midnight, in the photos' offset."""
    gallery = export.gallery
    event = gallery["event"]
    day = (event or {}).get("date") or (gallery["date_range"] or {}).get("from")
    if not day:
        return None
    offsets = (_OFFSET.search(p["taken_at"] or "") for p in export.photos)
    offset = next((m.group(1) for m in offsets if m), DEFAULT_OFFSET)
    return f"{day}T00:00:00{offset}"


def _distinct(photos: list[dict[str, Any]], key: str) -> list[str]:
    """Unit (or tag) names across the photos, first appearance first."""
    names = (item["name"] for photo in photos for item in photo[key])
    return list(dict.fromkeys(names))


def _canvas(
    base: str, photo: dict[str, Any], number: int, statement: str | None = None
) -> dict[str, Any]:
    """One photo's Canvas; ``statement`` is the manifest's requiredStatement value.

    Its metadata pairs are the declared fields with a IIIF label
    (:data:`archive.fields.IIIF_PAIRS`); a field declared as the
    requiredStatement (credit) is one on the canvas where it says other than
    the manifest.
    """
    canvas_id = f"{base}canvas/{photo['sha256']}"
    preview = photo["preview"]
    playback, duration = photo.get("playback"), photo.get("duration")
    plays = bool(playback and duration)  # else a clip is shown by its poster, as a still
    canvas: dict[str, Any] = {
        "id": canvas_id,
        "type": "Canvas",
        "label": _vi(photo["caption"] or f"{'Video' if plays else 'Ảnh'} {number}"),
        "width": photo["width"] or preview["width"],
        "height": photo["height"] or preview["height"],
    }
    if plays:
        canvas["duration"] = float(duration)
    metadata = []
    for f in fields.IIIF_PAIRS:
        if value := photo.get(f.export or f.name):
            values = [v["name"] for v in value] if isinstance(value, list) else [str(value)]
            metadata.append(_pair(f.iiif or "", values, f.iiif_language))
    if metadata:
        canvas["metadata"] = metadata
    for f in fields.STATEMENTS:
        value = photo.get(f.export or f.name)
        if value and value != statement:
            canvas["requiredStatement"] = {"label": _vi(f.label or ""), "value": _vi(value)}
    if photo["thumbnail"]:
        canvas["thumbnail"] = [_image(photo["thumbnail"])]
    canvas["items"] = [
        {
            "id": f"{canvas_id}/page",
            "type": "AnnotationPage",
            "items": [
                {
                    "id": f"{canvas_id}/page/image",
                    "type": "Annotation",
                    "motivation": "painting",
                    "body": _video(playback, float(duration)) if plays else _image(preview),
                    "target": canvas_id,
                }
            ],
        }
    ]
    return canvas


def manifest(export: GalleryExport) -> dict[str, Any]:
    """The Manifest of an export; its base URL is the one the export was made with.

    Raises EmptyManifestError when no photo can be painted (see empty_reason).
    """
    if reason := empty_reason(export):
        raise EmptyManifestError(f"{reason}: nothing to export as IIIF")
    gallery = export.gallery
    base = gallery["base_url"] or ""
    photos = painted(export)
    doc: dict[str, Any] = {
        "@context": CONTEXT,
        "id": base + MANIFEST_NAME,
        "type": "Manifest",
        "label": _vi(gallery["title"]),
    }
    if gallery["description"]:
        doc["summary"] = _vi(gallery["description"])
    metadata = []
    event = gallery["event"]
    if event:
        metadata.append(_pair("Sự kiện", [event["title"]]))
        if event["location"]:
            metadata.append(_pair("Địa điểm", [event["location"]]))
    if gallery["date_range"]:
        span = gallery["date_range"]
        days = [span["from"]] if span["from"] == span["to"] else [f"{span['from']} – {span['to']}"]
        metadata.append(_pair("Ngày", days, "none"))
    if units := _distinct(photos, "units"):
        metadata.append(_pair("Đơn vị", units))
    if tags := _distinct(photos, "tags"):
        metadata.append(_pair("Từ khóa", tags))
    metadata.append(_pair("Số ảnh", [str(len(photos))], "none"))
    doc["metadata"] = metadata
    if nav_date := _nav_date(export):
        doc["navDate"] = nav_date
    if gallery["rights"]:
        doc["rights"] = gallery["rights"]
    if statement := gallery["required_statement"]:
        doc["requiredStatement"] = {
            "label": _vi(statement["label"]),
            "value": _vi(statement["value"]),
        }
    if photos and photos[0]["thumbnail"]:
        doc["thumbnail"] = [_image(photos[0]["thumbnail"])]
    doc["seeAlso"] = [
        {
            "id": base + JSON_NAME,
            "type": "Dataset",
            "label": _vi("Dữ liệu bộ ảnh (JSON)"),
            "format": "application/json",
        }
    ]
    value = statement["value"] if statement else None
    doc["items"] = [_canvas(base, p, n, value) for n, p in enumerate(photos, start=1)]
    return doc


def manifest_json(export: GalleryExport) -> str:
    """The manifest as UTF-8 text, keys in a fixed order: stable across exports."""
    return json.dumps(manifest(export), ensure_ascii=False, indent=2) + "\n"
