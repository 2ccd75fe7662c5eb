"""A gallery as a folder anyone can open: from a USB stick, offline, with no server.

The folder holds ``index.html`` (the photos with their captions, plain HTML
and inline CSS, no script and nothing fetched from the network),
``gallery.json`` (the export, byte for byte), ``manifest.json`` (IIIF) and
the thumbnails and previews under the same relative paths the archive uses,
so every path in the JSON resolves inside the folder. A clip brings the file
it plays from (``playback`` in the JSON), copied in chunks: its transcode, or
its original when that plays as it is, the one original that leaves the
archive, and never in a public bundle (the export names none there).

The same writer fills a folder (``archive export --bundle DIR``) or a ZIP
(Datasette's "download bundle"). A folder is often a USB stick that holds
other documents too, so a bundle touches only its own files: it lists them
in ``.bundle-files`` and, written again, replaces those and removes the ones
no longer part of it, and refuses to overwrite any file it did not write.
Each file is written under a temporary name and renamed into place, and the
list names every file an unfinished export may have written, so a crash
leaves whole files only and the next export cleans up after it.
"""

from __future__ import annotations

import json
import shutil
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import BinaryIO, Protocol

from archive.bundle_html import index_html
from archive.durable import copy_atomically, write_atomically
from archive.errors import ArchiveError
from archive.export import FORMAT, GalleryExport
from archive.iiif import JSON_NAME, MANIFEST_NAME, manifest_json, painted
from archive.store import Store

INDEX_NAME = "index.html"
FILES_NAME = ".bundle-files"  # the bundle's own files, one relative path per line
_TEXT_NAMES = (JSON_NAME, MANIFEST_NAME, INDEX_NAME)
_SHOWN = 3  # clashing files named in a refusal; the rest are counted
_STORED = (".jpg", ".mp4", ".webm", ".mov", ".m4v", ".3gp", ".mkv", ".avi")


class BundleError(ArchiveError):
    """The bundle cannot be written where asked; one line for the user."""


@dataclass
class BundleReport:
    """What went into a bundle, and the derivatives the store lacked (exit status 1)."""

    files: int = 0
    bytes: int = 0
    missing: list[str] = field(default_factory=list)
    written: list[str] = field(default_factory=list)
    removed: int = 0  # files of an earlier bundle in the folder that are no longer part of it


class Sink(Protocol):
    def write(self, relpath: str, data: bytes) -> None: ...

    def copy(self, relpath: str, source: Path) -> None:
        """A file too big to hold in memory (a clip), copied from source in chunks."""


class FolderSink:
    """Files into a folder, each whole: written under a temporary name, then renamed."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def write(self, relpath: str, data: bytes) -> None:
        target = self.folder / relpath
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            write_file(target, data)
        except OSError as error:
            reason = error.strerror or str(error)
            raise BundleError(f"{self.folder}: cannot write {relpath}: {reason}") from error

    def copy(self, relpath: str, source: Path) -> None:
        target = self.folder / relpath
        try:
            copy_atomically(target, source, mode=0o644)
        except OSError as error:
            reason = error.strerror or str(error)
            raise BundleError(f"{self.folder}: cannot write {relpath}: {reason}") from error


class ZipSink:
    """Entries under one top folder (the gallery's slug), so unzipping makes one folder."""

    def __init__(self, archive: zipfile.ZipFile, top: str, date_time: tuple[int, ...]) -> None:
        self.archive, self.top, self.date_time = archive, top, date_time

    def write(self, relpath: str, data: bytes) -> None:
        self.archive.writestr(self._info(relpath), data)

    def copy(self, relpath: str, source: Path) -> None:
        with source.open("rb") as reader, self.archive.open(self._info(relpath), "w") as entry:
            shutil.copyfileobj(reader, entry, 1 << 20)

    def _info(self, relpath: str) -> zipfile.ZipInfo:
        info = zipfile.ZipInfo(f"{self.top}/{relpath}", date_time=self.date_time)
        info.external_attr = 0o644 << 16
        # JPEGs and clips do not shrink; text does.
        stored = relpath.endswith(_STORED)
        info.compress_type = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
        return info


def write_file(path: Path, data: bytes, sync: bool = False) -> None:
    """Replace path with data whole: a crash leaves the old file or the new, never half of one.

    Through the archive's one atomic writer, :func:`archive.durable.write_atomically`:
    it keeps the mode of the file it replaces; sync makes it durable before
    the rename, for files whose loss would cost more than a rewrite.
    """
    write_atomically(path, data, sync=sync)


def refuse_inside(path: Path, root: Path) -> Path:
    """path resolved, unless it is the archive folder or inside it (BundleError).

    An export written into the archive could replace the catalog or an
    original (the one copy), so nothing is ever exported there; links and
    ``..`` are resolved first, so they do not get round the rule.
    """
    resolved, home = path.expanduser().resolve(), root.expanduser().resolve()
    if resolved.is_relative_to(home):
        raise BundleError(f"{path}: is inside the archive folder {root}; export outside it")
    return resolved


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


def check_targets(
    root: Path, export: GalleryExport, output: Path | None, bundle: Path | None
) -> Path | None:
    """-o resolved; refused (BundleError), before anything is written, where exports must not go.

    Not inside the archive (the catalog and originals are there), not onto
    files of a folder the bundle did not write, and -o not onto one of the
    bundle's own files (the bundle would then refuse it half way).
    """
    target = refuse_inside(output, root) if output else None
    if bundle:
        folder, home = refuse_inside(bundle, root), root.expanduser().resolve()
        ours = (*bundle_paths(export), FILES_NAME)
        if home.is_relative_to(folder) and home.relative_to(folder).parts[0] in {
            relpath.split("/")[0] for relpath in ours
        }:
            raise BundleError(f"{bundle}: the bundle would write into the archive folder {root}")
        check_folder(export, bundle)
        if (
            target
            and target.is_relative_to(folder)
            and (target.relative_to(folder).as_posix() in ours)
        ):
            raise BundleError(f"{output}: is one of the files --bundle {bundle} writes")
    return target


def image_paths(export: GalleryExport) -> list[str]:
    """The thumbnails and previews a bundle copies, in gallery order."""
    paths = (photo[kind]["path"] for photo in export.photos for kind in ("thumbnail", "preview")
             if photo[kind])  # fmt: skip
    return list(dict.fromkeys(paths))


def video_paths(export: GalleryExport) -> list[str]:
    """The files clips play from (``playback``), in gallery order."""
    paths = (photo["playback"]["path"] for photo in export.photos if photo.get("playback"))
    return list(dict.fromkeys(paths))


def bundle_paths(export: GalleryExport) -> list[str]:
    """Every file a bundle of export holds (a derivative missing from the store included)."""
    texts = [name for name in _TEXT_NAMES if name != MANIFEST_NAME or painted(export)]
    return [*image_paths(export), *video_paths(export), *texts]


def write_bundle(store: Store, export: GalleryExport, sink: Sink) -> BundleReport:
    """Fill a sink with the gallery's files: derivatives, then JSON, manifest and page.

    The page comes last, so a folder interrupted half way still shows the
    earlier page, whose images are all there. A gallery with nothing to paint
    has no manifest: Presentation 3 requires at least one Canvas.
    """
    report = BundleReport()
    public = export.gallery["public"]

    def put(relpath: str, data: bytes) -> None:
        sink.write(relpath, data)
        report.files += 1
        report.bytes += len(data)
        report.written.append(relpath)

    for relpath in image_paths(export):
        try:
            data = store.read(relpath)  # the folder or the bucket alike
        except (OSError, ValueError):
            report.missing.append(relpath)
            continue
        put(relpath, strip_metadata(data) if public else data)
    for relpath in video_paths(export):
        try:
            with store.local_copy(relpath) as source:  # the folder's file, or a bucket's copy
                size = source.stat().st_size
                sink.copy(relpath, source)
        except (OSError, ValueError):
            report.missing.append(relpath)
            continue
        report.files += 1
        report.bytes += size
        report.written.append(relpath)
    put(JSON_NAME, export.to_json().encode("utf-8"))
    if painted(export):
        put(MANIFEST_NAME, manifest_json(export).encode("utf-8"))
    put(INDEX_NAME, index_html(export).encode("utf-8"))
    return report


def check_folder(export: GalleryExport, target: Path) -> list[str]:
    """The files of an earlier bundle in target; BundleError if writing there would be wrong.

    Refused: an empty gallery (a bundle of nothing is a mistake: everything
    private, or the wrong slug), a target that is not a folder, and a file
    or link where the bundle would write that an earlier bundle did not.
    """
    gallery = export.gallery
    if not export.photos:
        which = "public photos" if gallery["public"] else "photos"
        name = f"{gallery['kind']} {gallery['slug']}"
        raise BundleError(f"{name} has no {which}: nothing to export as a bundle")
    if target.exists() and not target.is_dir():
        raise BundleError(f"{target}: exists and is not a folder")
    previous = _previous_files(target) if target.is_dir() else []
    ours = {*previous, FILES_NAME}  # a list found there is the earlier bundle's
    clashes = [
        relpath
        for relpath in [*bundle_paths(export), FILES_NAME]
        if _taken(target, relpath, own=relpath in ours)
    ]
    if clashes:
        named = ", ".join(clashes[:_SHOWN])
        more = f" and {len(clashes) - _SHOWN} more" if len(clashes) > _SHOWN else ""
        raise BundleError(
            f"{target}: holds {named}{more}, which the bundle would overwrite and did not"
            " write; choose an empty folder or move them"
        )
    return previous


def write_folder(store: Store, export: GalleryExport, target: Path) -> BundleReport:
    """Write the bundle into target beside whatever else is there, replacing an earlier one.

    Before the first file, the list names the earlier bundle's files and the
    new ones: whatever an interrupted export wrote is then the next one's to
    replace or remove. Only at the end does it name the new files alone.
    """
    previous = check_folder(export, target)
    try:
        target.mkdir(parents=True, exist_ok=True)
        _write_list(target, list(dict.fromkeys([*previous, *bundle_paths(export)])))
    except OSError as error:
        raise BundleError(f"{target}: cannot write: {error.strerror or error}") from error
    report = write_bundle(store, export, FolderSink(target))
    kept = set(report.written)
    for relpath in previous:
        if relpath not in kept:
            report.removed += _remove(target, relpath)
    try:
        _write_list(target, report.written)
    except OSError as error:
        raise BundleError(f"{target}: cannot write: {error.strerror or error}") from error
    return report


def write_zip(store: Store, export: GalleryExport, handle: BinaryIO) -> BundleReport:
    """Write the bundle as a ZIP to an open binary file (Datasette's download).

    It carries the same ``.bundle-files`` list, so an unzipped bundle is
    replaced by a later ``--bundle`` to its folder like one written there.
    """
    stamp = export.gallery["generated_at"]
    date_time = tuple(int(part) for part in (stamp[:4], stamp[5:7], stamp[8:10]))
    date_time += tuple(int(part) for part in (stamp[11:13], stamp[14:16], stamp[17:19]))
    with zipfile.ZipFile(handle, "w") as archive:
        sink = ZipSink(archive, export.gallery["slug"], date_time)
        report = write_bundle(store, export, sink)
        sink.write(FILES_NAME, _list_text(report.written))
    return report


def _safe(relpath: str) -> bool:
    """A relative path that stays inside the folder: a list read from disk is not trusted."""
    path = PurePosixPath(relpath)
    return (
        bool(relpath)
        and not path.is_absolute()
        and "\\" not in relpath
        and all(part not in ("", ".", "..") for part in relpath.split("/"))
    )


def _previous_files(folder: Path) -> list[str]:
    """The files an earlier bundle wrote in folder, by its list.

    A bundle written before the list existed is recognised only when the
    folder holds nothing but the files its ``gallery.json`` names: then
    every one of them is the bundle's.
    """
    listed = folder / FILES_NAME
    if listed.is_file() and not listed.is_symlink():
        lines = listed.read_text("utf-8", errors="replace").splitlines()
        return [line for line in dict.fromkeys(lines) if _safe(line) and line != FILES_NAME]
    try:
        document = json.loads((folder / JSON_NAME).read_text("utf-8"))
        if document.get("format") != FORMAT:
            return []
        if not all((folder / name).is_file() for name in _TEXT_NAMES):
            return []
        named = {*_TEXT_NAMES}
        named |= {photo[kind]["path"] for photo in document["photos"]
                  for kind in ("thumbnail", "preview", "playback") if photo.get(kind)}  # fmt: skip
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return []
    present = [p.relative_to(folder).as_posix() for p in folder.rglob("*") if not p.is_dir()]
    return sorted(present) if set(present) <= named else []


def _through_link(folder: Path, relpath: str) -> bool:
    """Whether a folder on relpath's way is a link or not a folder: it could lead elsewhere."""
    path = folder
    for part in relpath.split("/")[:-1]:
        path = path / part
        if path.is_symlink() or path.exists() and not path.is_dir():
            return True
    return False


def _taken(folder: Path, relpath: str, own: bool = False) -> bool:
    """Whether writing relpath would overwrite something not the bundle's.

    The way there must be real folders; the file itself must not exist, or
    (own: listed by the earlier bundle) be a plain file, not a link.
    """
    path = folder / relpath
    if _through_link(folder, relpath) or path.is_symlink():
        return True
    return path.exists() and (not own or not path.is_file())


def _remove(folder: Path, relpath: str) -> int:
    """Delete a file the earlier bundle wrote, and the folders it leaves empty; 1 if deleted."""
    path = folder / relpath
    if _through_link(folder, relpath) or path.is_symlink() or not path.is_file():
        return 0
    path.unlink()
    for parent in path.relative_to(folder).parents[:-1]:
        try:
            (folder / parent).rmdir()  # only when empty
        except OSError:
            break
    return 1


def _list_text(relpaths: list[str]) -> bytes:
    return "".join(f"{relpath}\n" for relpath in relpaths).encode("utf-8")


def _write_list(folder: Path, relpaths: list[str]) -> None:
    """The list governs what a later export deletes, so it is made durable at once."""
    write_file(folder / FILES_NAME, _list_text(relpaths), sync=True)
