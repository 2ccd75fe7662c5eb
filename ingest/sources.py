"""Walk what staff point at and find the photos (and video clips) and the event folders in it.

A folder holding ``event.yml``, a caption sheet or ``article.txt`` is an
event; each photo belongs to the nearest such folder above it. Folders copied
from phones, Macs and Windows carry junk (``._IMG_0001.JPG``, ``.DS_Store``,
``Thumbs.db``, ``desktop.ini``, ``__MACOSX``, Excel's ``~$captions.xlsx`` lock
file while the sheet is open, and the ``IMG_0001.JPG:Zone.Identifier`` files
that a copy out of Windows into WSL leaves) that must never be mistaken for
photos nor reported as skipped.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path

from archive.text import natural_key, nfc
from ingest.manifest import CAPTION_SLOTS, Manifests, find_manifests, looks_like_sheet
from ingest.video_kinds import VIDEO_SUFFIXES, is_clip

IMAGE_SUFFIXES = frozenset(
    {".jpg", ".jpeg", ".jpe", ".png", ".webp", ".tif", ".tiff", ".heic", ".heif"}
)
_JUNK_NAMES = frozenset({".ds_store", "thumbs.db", "desktop.ini", "__macosx"})


@dataclass
class Folder:
    """A folder that is an event: its manifests and the photos under it, in name order."""

    path: Path
    manifests: Manifests
    photos: list[FoundPhoto] = field(default_factory=list)


@dataclass(frozen=True)
class FoundPhoto:
    on_disk: str  # its path as on disk, to open it
    key: str  # NFC absolute path: the catalog's name for this source
    folder: Path | None  # the event folder it belongs to
    relative: str  # path relative to its event folder (or its name), NFC, "/" separated
    order: tuple = field(default=(), compare=False, repr=False)  # natural_key(relative)

    @property
    def path(self) -> Path:
        """Its path as on disk, made when asked for: a re-run opens none of its files."""
        return Path(self.on_disk)


@dataclass
class Discovery:
    photos: list[FoundPhoto] = field(default_factory=list)
    folders: dict[Path, Folder] = field(default_factory=dict)
    skipped: list[Path] = field(default_factory=list)  # files that are not photos
    misnamed: list[Path] = field(default_factory=list)  # caption sheets under another name
    missing: list[str] = field(default_factory=list)  # paths given that do not exist
    # Each folder's own manifests, found once (a folder is asked about for each file in it).
    manifests: dict[Path, Manifests] = field(default_factory=dict, repr=False)


def is_junk(name: str) -> bool:
    return (
        name.startswith(("._", "~$"))
        or name.casefold() in _JUNK_NAMES
        or name.endswith(":Zone.Identifier")
    )


def is_photo(path: Path) -> bool:
    """A photo or a video clip (issue 11: a clip is archived as a photo is)."""
    return _is_photo_named(path.name, path)


def _suffix(name: str) -> str:
    """A file name's suffix as :attr:`pathlib.PurePath.suffix` has it: ``.jpg``, or ``""``."""
    dot = name.rfind(".")
    return name[dot:] if 0 < dot < len(name) - 1 else ""


def _is_photo_named(name: str, path: Path | str) -> bool:
    """:func:`is_photo` from a file's name and path as a walk has them (no Path made)."""
    if is_junk(name):
        return False
    suffix = _suffix(name).casefold()
    if suffix in IMAGE_SUFFIXES or suffix in VIDEO_SUFFIXES:
        return True
    return suffix not in SHEET_NAMES and suffix not in _OVERRIDE_SLOTS and is_clip(Path(path))


_OVERRIDE_SLOTS = {
    ".yml": "event",
    ".yaml": "event",
    ".csv": "captions_csv",
    ".xlsx": "captions_xlsx",
    ".xls": "captions_xls",
    ".tsv": "captions_tsv",
}
SHEET_NAMES = {".csv", ".tsv", ".txt", ".xlsx", ".xls"}  # each has its captions.<ext>


def override_slot(path: Path) -> str:
    """Which manifest a file given with --manifest stands for, by its extension.

    A .txt is a caption sheet when named captions.txt or when its header names caption-sheet
    columns (Excel's "Unicode Text"), else an article.
    """
    suffix = path.suffix.casefold()
    if suffix == ".txt":
        sheet = path.stem.casefold() == "captions" or looks_like_sheet(path)
        return "captions_txt" if sheet else "article"
    slot = _OVERRIDE_SLOTS.get(suffix)
    if slot is None:
        raise ValueError(
            f"{path.name}: not a manifest (expected .yml, .csv, .tsv, .txt, .xlsx or .xls)"
        )
    return slot


def _overridden(manifests: Manifests, slots: dict[str, Path]) -> Manifests:
    """The folder's manifests with --manifest files in their place; a caption sheet given
    replaces the folder's own of any kind, or its .xlsx would still win over a given .csv."""
    if any(slot in CAPTION_SLOTS for slot in slots):
        manifests = replace(manifests, **dict.fromkeys(CAPTION_SLOTS))
    return replace(manifests, **slots)


def discover(
    paths: list[Path], overrides: tuple[Path, ...] = (), exclude: Path | None = None
) -> Discovery:
    """Every photo under paths, once each, with its event folder; nothing is read yet.

    Files given with --manifest replace the manifest of their kind in each
    folder named on the command line (and make it an event folder). The
    archive's own folder (exclude) is never walked: its originals are not
    new photos.
    """
    found = Discovery()
    seen: set[str] = set()
    slots = {override_slot(path): path.resolve() for path in overrides}
    for given in paths:
        if not given.exists():
            found.missing.append(str(given))
            continue
        given = given.resolve()
        top = given.parent if given.is_file() else given
        if slots:
            manifests = _overridden(find_manifests(top), slots)
            found.folders[top] = Folder(top, manifests)
        if given.is_file():
            folder = _folder_for(found, given.parent)
            _add_file(found, seen, str(given.parent), given.name, natural_key(given.name), folder)
            continue
        for current, dirs, files in os.walk(given):
            dirs[:] = sorted(
                (
                    d
                    for d in dirs
                    if not d.startswith(".")
                    and not is_junk(d)
                    and (exclude is None or Path(current, d) != exclude)
                ),
                key=natural_key,
            )
            folder_path = Path(current)
            found.manifests.setdefault(folder_path, find_manifests(folder_path, files))
            event = _folder_for(found, folder_path, inherit_from=given)
            # Each name's sort key is made once: it orders the folder, and its event's photos.
            keys = {name: natural_key(name) for name in files if not name.startswith(".")}
            for name in sorted(keys, key=keys.__getitem__):
                _add_file(found, seen, current, name, keys[name], event)
    for folder in found.folders.values():
        folder.photos.sort(key=lambda photo: photo.order)
    return found


def _folder_for(found: Discovery, path: Path, inherit_from: Path | None = None) -> Folder | None:
    """The event folder for photos in path: itself if it has manifests, else the nearest parent
    that does, without climbing above the folder staff named."""
    probe = path
    while True:
        if probe in found.folders:
            return found.folders[probe]
        manifests = _manifests_of(found, probe)
        if manifests.is_event:
            found.folders[probe] = Folder(probe, manifests)
            return found.folders[probe]
        if inherit_from is None or probe == inherit_from or probe.parent == probe:
            return None
        probe = probe.parent


def _manifests_of(found: Discovery, folder: Path) -> Manifests:
    if folder not in found.manifests:
        found.manifests[folder] = find_manifests(folder)
    return found.manifests[folder]


def _is_manifest(found: Discovery, path: Path, folder: Folder | None) -> bool:
    """Manifests beside the photos are expected company, not files to report as skipped."""
    own = _manifest_files(_manifests_of(found, path.parent))
    return path in own or (folder is not None and path in _manifest_files(folder.manifests))


def _manifest_files(manifests: Manifests) -> set[Path]:
    return {manifests.event, manifests.article, *manifests.sheets}


def _add_file(
    found: Discovery, seen: set[str], current: str, name: str, order: tuple, folder: Folder | None
) -> None:
    """One file named name in folder current (order: its name's natural_key), if a photo.

    Worked on as strings: a walk of ten thousand photos would otherwise make a
    Path for each, and a re-run that finds them all unchanged opens none.
    """
    on_disk = os.path.join(current, name)
    if not _is_photo_named(name, on_disk):
        path = Path(on_disk)
        if is_junk(name) or _is_manifest(found, path, folder):
            return
        if path.suffix.casefold() in SHEET_NAMES and looks_like_sheet(path):
            found.misnamed.append(path)
        else:
            found.skipped.append(path)
        return
    key = nfc(on_disk)
    if key in seen:
        return
    seen.add(key)
    if folder is None or current == str(folder.path):
        relative = nfc(name)  # its name's key orders it (natural_key folds NFC and NFD alike)
    else:
        relative = nfc(Path(on_disk).relative_to(folder.path).as_posix())
        order = natural_key(relative)
    photo = FoundPhoto(
        on_disk=on_disk,
        key=key,
        folder=folder.path if folder else None,
        relative=relative,
        order=order,
    )
    found.photos.append(photo)
    if folder:
        folder.photos.append(photo)
