"""Decide what each photo is said to be: caption, units, tags, event.

Sources in order of precedence: the command line, then the caption sheet,
then the article's caption list, then (in the catalog) the caption embedded in
the photo. Each caption keeps the name of where it came from. A manifest that
cannot be read is a problem reported with its file and reason; the photos
under it are still archived, and a later run with the manifest fixed
describes them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from archive.i18n import _
from archive.records import EventSpec, PhotoMeta
from archive.text import clean, fold, nfc, slugify
from ingest.manifest import (
    Article,
    CaptionRow,
    CaptionSheet,
    EventInfo,
    ManifestError,
    find_manifests,
    read_article,
    read_caption_sheet,
    read_event_yml,
)
from ingest.sheet_match import match_rows
from ingest.sources import Discovery, Folder, FoundPhoto
from ingest.video_kinds import is_clip

NOTHING_SAID = PhotoMeta()  # what a photo nothing in the run speaks of is told (one object)


@dataclass(frozen=True)
class CommandLine:
    """What staff typed: it wins over every file."""

    event: EventSpec | None = None
    units: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    caption: str | None = None
    manifests: tuple[Path, ...] = ()  # --manifest files, in place of the folders' own
    texts: tuple[tuple[str, str], ...] = ()  # plain-text fields (--photographer), by name


@dataclass(frozen=True)
class Problem:
    path: str
    reason: str
    level: str = "warning"  # "error" fails a photo; "warning" is reported and the batch goes on
    stage: str = "manifest"


@dataclass
class Description:
    events: list[EventSpec] = field(default_factory=list)
    meta: dict[str, PhotoMeta] = field(default_factory=dict)  # by FoundPhoto.key
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # what each --manifest file was read as


@dataclass
class _FolderFacts:
    event: EventSpec | None = None
    tags: tuple[str, ...] = ()
    sheet: CaptionSheet | None = None
    rows: dict[str, CaptionRow] = field(default_factory=dict)  # the sheet's, by FoundPhoto.key
    article_captions: dict[str, str] = field(default_factory=dict)
    event_yml: Path | None = None  # read without error
    article: Article | None = None


def describe(found: Discovery, cli: CommandLine) -> Description:
    result = Description()
    if cli.event:
        result.events.append(cli.event)
    per_folder = {path: _read_folder(folder, result) for path, folder in found.folders.items()}
    for path in found.misnamed:
        result.problems.append(Problem(str(path), misnamed_sheet(path)))
    given = {path.resolve() for path in cli.manifests}
    for facts in per_folder.values():
        result.notes.extend(note for note in _read_as(facts, given) if note not in result.notes)
    for facts in per_folder.values():
        if facts.event and not cli.event:
            result.events.append(facts.event)
    nothing = _FolderFacts()
    alike: dict[int, PhotoMeta] = {}  # by id of the folder's facts: what all its photos are told
    for photo in found.photos:
        facts = (per_folder.get(photo.folder) if photo.folder else None) or nothing
        if photo.key in facts.rows or photo.key in facts.article_captions:
            result.meta[photo.key] = _photo_meta(photo, facts, cli)
            continue
        # Nothing said of this photo alone: it is told what its folder and the command say,
        # the same for every such photo of the folder, worked out once.
        if id(facts) not in alike:
            meta = _photo_meta(photo, facts, cli)
            alike[id(facts)] = NOTHING_SAID if meta == NOTHING_SAID else meta
        result.meta[photo.key] = alike[id(facts)]
    return result


def _photo_meta(photo: FoundPhoto, facts: _FolderFacts, cli: CommandLine) -> PhotoMeta:
    row = facts.rows.get(photo.key)
    caption, source = None, None
    for text, where in (
        (cli.caption, "cli"),
        (row.caption if row else None, "sheet"),
        (facts.article_captions.get(photo.key), "article"),
    ):
        if clean(text):
            caption, source = clean(text), where
            break
    sheet_says = facts.sheet.columns if row is not None and facts.sheet else frozenset()
    said_units = bool(cli.units) or "units" in sheet_says
    tags = _merge(cli.tags, facts.tags, row.tags if "tags" in sheet_says else ())
    said_tags = bool(cli.tags or facts.tags) or "tags" in sheet_says
    event = cli.event or facts.event
    # Plain-text fields (photographer, credit): the command line, else the sheet's row.
    texts = {name: text for name, text in (row.texts if row else ()) if clean(text)}
    texts.update((name, clean(text)) for name, text in cli.texts if clean(text))
    return PhotoMeta(
        caption=caption,
        caption_source=source,
        units=_merge(cli.units, row.units if "units" in sheet_says else ()) if said_units else None,
        tags=tags if said_tags else None,
        taken_at=row.taken_at if row else None,
        event=event.key if event else None,
        texts=tuple(texts.items()),
    )


def misnamed_sheet(path: Path) -> str:
    """What staff are told about a caption sheet saved under a name the archive does not read."""
    own = find_manifests(path.parent).captions
    if own is not None:
        return _(
            "this looks like a caption sheet, but this folder's caption sheet is {name};"
            " only that one is read"
        ).format(name=own.name)
    name = f"captions{path.suffix.casefold()}"
    return _(
        "this looks like a caption sheet, so its captions were not applied: name it {name}"
    ).format(name=name)


def _read_as(facts: _FolderFacts, given: set[Path]) -> list[str]:
    """For each --manifest file this folder used: what it was read as and what it gave."""
    notes = []
    if facts.sheet is not None and facts.sheet.path.resolve() in given:
        applied = len({row.line for row in facts.rows.values()})
        notes.append(
            _("{file}: read as a caption sheet ({read_as}): {rows} rows, {applied} applied").format(
                file=facts.sheet.path.name,
                read_as=facts.sheet.read_as,
                rows=len(facts.sheet.rows),
                applied=applied,
            )
        )
    if facts.event_yml is not None and facts.event_yml.resolve() in given:
        notes.append(
            _("{file}: read as the event's details (event.yml)").format(file=facts.event_yml.name)
        )
    if facts.article is not None and Path(facts.article.source).resolve() in given:
        count = len(facts.article.captions)
        notes.append(
            _("{file}: read as an article ({count} captions, {applied} applied)").format(
                file=Path(facts.article.source).name,
                count=count,
                applied=len(facts.article_captions),
            )
        )
    return notes


def _merge(*lists: tuple[str, ...]) -> tuple[str, ...]:
    """Concatenate, dropping repeats that fold alike and keeping the first spelling."""
    seen: dict[str, str] = {}
    for names in lists:
        for name in names:
            name = clean(name)
            if name and fold(name) not in seen:
                seen[fold(name)] = name
    return tuple(seen.values())


def _read_folder(folder: Folder, result: Description) -> _FolderFacts:
    facts = _FolderFacts()
    info = _read(folder.manifests.event, read_event_yml, result)
    article = _read(folder.manifests.article, read_article, result)
    facts.sheet = _read(folder.manifests.captions, read_caption_sheet, result)
    if facts.sheet:
        result.problems.extend(Problem(str(facts.sheet.path), w) for w in facts.sheet.warnings)
        matched = match_rows(facts.sheet, folder.photos)
        facts.rows = matched.rows
        result.problems.extend(Problem(str(facts.sheet.path), w) for w in matched.warnings)
    facts.event = _event_spec(folder, info, article)
    facts.tags = info.tags if info else ()
    facts.event_yml = folder.manifests.event if info else None
    facts.article = article
    if article and article.captions:
        facts.article_captions = _match_article(folder, article, result)
    return facts


def _read(path: Path | None, reader, result: Description):
    if path is None:
        return None
    try:
        return reader(path)
    except ManifestError as error:
        result.problems.append(Problem(str(path), error.reason))
        return None


def _event_spec(folder: Folder, info: EventInfo | None, article: Article | None) -> EventSpec:
    title = (info and info.title) or (article and article.title) or clean(folder.path.name)
    return EventSpec(
        slug=(info and info.slug) or slugify(title) or "event",
        title=title,
        date=info.date if info else None,
        location=info.location if info else None,
        organizer=info.organizer if info else None,
        description=(info and info.description) or (article and article.description),
        source_ref=nfc(str(folder.path)),
        units=info.units if info else (),
    )


def _match_article(folder: Folder, article: Article, result: Description) -> dict[str, str]:
    """Captions to photos in file-name order, only when the counts agree: never a guess.

    Clips are items like photos, in the same order; but a ward's news post
    shows only photos, so a list that counts the photos without the clips
    is given to the photos alone.
    """
    photos = folder.photos
    stills = [photo for photo in photos if not is_clip(photo.path)]
    if len(article.captions) != len(photos) and len(article.captions) == len(stills):
        photos = stills
    if len(article.captions) != len(photos):
        result.problems.append(
            Problem(
                article.source,
                _(
                    "lists {captions} captions but the folder has {photos} photos;"
                    " article captions not applied (give them in captions.csv instead)"
                ).format(captions=len(article.captions), photos=len(photos)),
            )
        )
        return {}
    return {photo.key: caption for photo, caption in zip(photos, article.captions, strict=True)}
