"""A gallery as a folder anyone can open: from a USB stick, offline, with no server.

The folder holds ``index.html`` (the photos with their captions, plain HTML
and inline CSS, no script and nothing fetched from the network),
``gallery.json`` (the export, byte for byte), ``manifest.json`` (IIIF) and
the thumbnails and previews under the same relative paths the archive uses,
so every path in the JSON resolves inside the folder. Originals never leave
the archive.

The same writer fills a folder (``archive export --bundle DIR``) or a ZIP
(Datasette's "download bundle"). A folder is built beside its target and
swapped in at the end, so an interrupted export never leaves half a bundle
where the previous one was.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO, Protocol

from archive.bundle_html import index_html
from archive.export import GalleryExport
from archive.iiif import JSON_NAME, MANIFEST_NAME, manifest_json
from archive.store import Store

INDEX_NAME = "index.html"
_BUNDLE_MARKERS = (INDEX_NAME, JSON_NAME)


class BundleError(Exception):
    """The bundle cannot be written where asked; one line for the user."""


@dataclass
class BundleReport:
    """What went into a bundle, and the derivatives the store lacked (exit status 1)."""

    files: int = 0
    bytes: int = 0
    missing: list[str] = field(default_factory=list)


class Sink(Protocol):
    def write(self, relpath: str, data: bytes) -> None: ...


class FolderSink:
    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def write(self, relpath: str, data: bytes) -> None:
        target = self.folder / relpath
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)


class ZipSink:
    """Entries under one top folder (the gallery's slug), so unzipping makes one folder."""

    def __init__(self, archive: zipfile.ZipFile, top: str, date_time: tuple[int, ...]) -> None:
        self.archive, self.top, self.date_time = archive, top, date_time

    def write(self, relpath: str, data: bytes) -> None:
        info = zipfile.ZipInfo(f"{self.top}/{relpath}", date_time=self.date_time)
        info.external_attr = 0o644 << 16
        # JPEGs do not shrink; text does.
        info.compress_type = (
            zipfile.ZIP_STORED if relpath.endswith(".jpg") else zipfile.ZIP_DEFLATED
        )
        self.archive.writestr(info, data)


def strip_metadata(data: bytes) -> bytes:
    """A JPEG without APP1 (EXIF, XMP) and APP13 (IPTC) segments; other data unchanged.

    Ingest already writes thumbnails without them; a public bundle checks
    again, because a photo's GPS leaving the archive cannot be taken back.
    """
    if data[:2] != b"\xff\xd8":
        return data
    out, i = bytearray(b"\xff\xd8"), 2
    while i + 4 <= len(data) and data[i] == 0xFF:
        marker = data[i + 1]
        if marker == 0xDA:  # start of scan: the rest is image data
            break
        length = int.from_bytes(data[i + 2 : i + 4], "big")
        if marker not in (0xE1, 0xED):
            out += data[i : i + 2 + length]
        i += 2 + length
    return bytes(out + data[i:])


def write_bundle(store: Store, export: GalleryExport, sink: Sink) -> BundleReport:
    """Fill a sink with the gallery's files: JSON, manifest, page, derivatives."""
    report = BundleReport()
    public = export.gallery["public"]

    def put(relpath: str, data: bytes) -> None:
        sink.write(relpath, data)
        report.files += 1
        report.bytes += len(data)

    put(JSON_NAME, export.to_json().encode("utf-8"))
    put(MANIFEST_NAME, manifest_json(export).encode("utf-8"))
    put(INDEX_NAME, index_html(export).encode("utf-8"))
    for photo in export.photos:
        for kind in ("thumbnail", "preview"):
            image = photo[kind]
            if image is None:
                continue
            try:
                data = store.path(image["path"]).read_bytes()
            except OSError:
                report.missing.append(image["path"])
                continue
            put(image["path"], strip_metadata(data) if public else data)
    return report


def write_folder(store: Store, export: GalleryExport, target: Path) -> BundleReport:
    """Write the bundle to target, replacing an earlier bundle there (and nothing else)."""
    if target.exists() and not target.is_dir():
        raise BundleError(f"{target}: exists and is not a folder")
    if target.is_dir() and any(target.iterdir()) and not _is_bundle(target):
        raise BundleError(f"{target}: folder is not empty and holds no earlier bundle")
    target.parent.mkdir(parents=True, exist_ok=True)
    building = Path(tempfile.mkdtemp(prefix=f".{target.name}.incoming-", dir=target.parent))
    try:
        building.chmod(0o755)
        report = write_bundle(store, export, FolderSink(building))
        if target.exists():
            old = target.with_name(f".{target.name}.old-{os.getpid()}")
            target.rename(old)
            building.rename(target)
            shutil.rmtree(old)
        else:
            building.rename(target)
    except BaseException:
        shutil.rmtree(building, ignore_errors=True)
        raise
    return report


def write_zip(store: Store, export: GalleryExport, handle: BinaryIO) -> BundleReport:
    """Write the bundle as a ZIP to an open binary file (Datasette's download)."""
    stamp = export.gallery["generated_at"]
    date_time = tuple(int(part) for part in (stamp[:4], stamp[5:7], stamp[8:10]))
    date_time += tuple(int(part) for part in (stamp[11:13], stamp[14:16], stamp[17:19]))
    with zipfile.ZipFile(handle, "w") as archive:
        return write_bundle(store, export, ZipSink(archive, export.gallery["slug"], date_time))


def _is_bundle(folder: Path) -> bool:
    return all((folder / name).is_file() for name in _BUNDLE_MARKERS)
