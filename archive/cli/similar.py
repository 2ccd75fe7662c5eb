"""`archive similar`: the groups of near-duplicate photos, their picks, and what staff change.

Groups are made by every ingest for the events it touched (:mod:`archive.catalog.similar`);
this command lists them, lets staff choose another pick or split a photo off (both
remembered across re-runs and re-ingests), recomputes them (``--regroup``, after the
window setting changed), fills the fingerprints of an archive made before they existed
(``--backfill``), and finds near-duplicates between events (``--across``).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import click

from archive import similar_reader
from archive.catalog import Catalog
from archive.cli.context import Context, ProgressBar, emit_json, writing
from archive.db import write_transaction
from archive.errors import ArchiveError
from archive.i18n import _
from archive.similar import featureless
from ingest.fingerprint import from_thumbnails

BACKFILL_BATCH = 200  # photos per transaction: an ingest or a reviewer's change gets its turn


@click.group(
    "similar",
    invoke_without_command=True,
    short_help="Near-duplicate photos of each event, and their picks.",
)
@click.option("--event", "event_slug", metavar="SLUG", help="Only the groups of this event.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@click.option("--across", is_flag=True, help="Find near-duplicates between events (never merged).")
@click.option("--backfill", is_flag=True, help="Fingerprint photos that have none, then regroup.")
@click.option("--regroup", is_flag=True, help="Recompute the groups (all events, or --event).")
@click.option("--dry-run", is_flag=True, help="Show what would happen; write nothing.")
@click.pass_context
def similar_group(
    ctx: click.Context,
    event_slug: str | None,
    as_json: bool,
    across: bool,
    backfill: bool,
    regroup: bool,
    dry_run: bool,
) -> None:
    """List the groups of near-duplicate photos of each event, with the pick of each.

    \b
    Examples:
      archive similar --event le-khai-giang-2024
      archive similar pick 1234        (make photo 1234 its group's pick)
      archive similar split 1240       (take photo 1240 out of its group)
      archive similar --across         (the same picture in two events)
    """
    if ctx.invoked_subcommand:
        return
    obj: Context = ctx.obj
    if backfill or regroup:
        catalog = obj.catalog(dry_run=dry_run, existing=not dry_run)
        result = _backfill(obj, catalog) if backfill else {"fingerprinted": 0, "failed": []}
        event_id = _event_id(catalog, event_slug)
        events = _all_events(catalog) if event_id is None else {event_id}
        with writing(catalog, dry_run):
            result["groups"] = catalog.regroup_events(events)
        _say_done(result, dry_run, as_json, backfill)
        return
    catalog = obj.catalog(existing=True)
    if across:
        _across(catalog, as_json)
        return
    groups = similar_reader.list_groups(catalog.reader, _event_id(catalog, event_slug))
    for group in groups:
        group["member_ids"] = sorted(json.loads(group["member_ids"]))
    if as_json:
        emit_json([_group_json(g) for g in groups])
        return
    if not groups:
        click.echo(_("No groups of near-duplicates."))
    for group in groups:
        chosen = _(" (chosen by a reviewer)") if group["pick_by_reviewer"] else ""
        others = ", ".join(str(i) for i in group["member_ids"] if i != group["pick_id"])
        click.echo(
            _(
                "{event}: group {group}, {size} photos:"
                " pick {pick} {name}{chosen}; others: {others}"
            ).format(
                event=group["event"],
                group=group["id"],
                size=group["size"],
                pick=group["pick_id"],
                name=group["pick_name"] or "",
                chosen=chosen,
                others=others,
            )
        )


def _reviewers_change(
    obj: Context, photo: str, dry_run: bool, change: Callable[[Catalog, int], dict[str, Any]]
) -> dict[str, Any]:
    """A reviewer's change to PHOTO's group (pick, split), in one write; what it did."""
    with writing(obj.catalog(dry_run=dry_run), dry_run) as catalog:
        return change(catalog, catalog.resolve_photos([photo])[0])


@similar_group.command("pick", short_help="Make a photo the pick of its group.")
@click.argument("photo")
@click.option("--dry-run", is_flag=True, help="Show what would happen; write nothing.")
@click.pass_obj
def similar_pick(obj: Context, photo: str, dry_run: bool) -> None:
    """Make PHOTO (an id or a SHA-256 prefix) the pick of its group, kept by every regrouping."""
    done = _reviewers_change(obj, photo, dry_run, Catalog.set_pick)
    line = _("Would make photo {photo} the pick of group {group}") if dry_run else None
    line = line or _("Photo {photo} is now the pick of group {group}")
    click.echo(line.format(**done))


@similar_group.command("split", short_help="Take a photo out of its group.")
@click.argument("photo")
@click.option("--dry-run", is_flag=True, help="Show what would happen; write nothing.")
@click.pass_obj
def similar_split(obj: Context, photo: str, dry_run: bool) -> None:
    """Take PHOTO (an id or a SHA-256 prefix) out of its group, for good (re-ingests too)."""
    done = _reviewers_change(obj, photo, dry_run, Catalog.split_from_group)
    line = _("Would take photo {photo} out of group {group}") if dry_run else None
    line = line or _("Photo {photo} is out of group {group}, and stays out")
    click.echo(line.format(**done))


def _event_id(catalog: Catalog, slug: str | None) -> int | None:
    if slug is None:
        return None
    row = catalog.event(slug)
    if row is None:
        raise ArchiveError(_("no event with slug {slug!r} (see: archive events)").format(slug=slug))
    return row["id"]


def _all_events(catalog: Catalog) -> set[int]:
    return {r["id"] for r in catalog.reader.all("SELECT id FROM events")}


def _backfill(obj: Context, catalog: Catalog) -> dict[str, Any]:
    """Fingerprint, from their stored thumbnails, the photos an older version archived.

    A command and not the migration that added the columns: a migration runs inside
    the first open of the catalog, holding it, with no progress shown, and reading a
    million thumbnails takes an hour. Here the work goes in short transactions (an
    ingest or a reviewer waits at most one batch), shows a bar on a terminal, and an
    interrupted run goes on where it stopped: only photos without a fingerprint are read.
    """
    rows = catalog.reader.all(
        "SELECT id, thumb_path, preview_path FROM photos WHERE phash IS NULL"
        " AND thumb_path IS NOT NULL AND preview_path IS NOT NULL ORDER BY id"
    )
    store, result = obj.store, {"fingerprinted": 0, "failed": []}
    bar = ProgressBar(_("Fingerprints"))
    bar.start(len(rows))
    try:
        for begin in range(0, len(rows), BACKFILL_BATCH):
            done = []
            for row in rows[begin : begin + BACKFILL_BATCH]:
                bar.advance(1)
                try:
                    prints = from_thumbnails(
                        store.read(row["thumb_path"]), store.read(row["preview_path"])
                    )
                except (OSError, ValueError) as error:
                    reason = getattr(error, "strerror", None) or str(error)
                    result["failed"].append(
                        {"id": row["id"], "path": row["thumb_path"], "reason": reason}
                    )
                    continue
                done.append((row["id"], prints))
            with write_transaction(catalog.db):
                for photo_id, prints in done:
                    catalog.set_fingerprint(photo_id, prints.phash, prints.dhash, prints.sharpness)
            result["fingerprinted"] += len(done)
    finally:
        bar.finish()
    return result


def _say_done(result: dict[str, Any], dry_run: bool, as_json: bool, backfill: bool) -> None:
    if as_json:
        emit_json({"dry_run": dry_run, **result})
        return
    if backfill:
        line = _("Would fingerprint {n} photo(s)") if dry_run else _("Fingerprinted {n} photo(s)")
        click.echo(line.format(n=result["fingerprinted"]))
    click.echo(_("{groups} group(s) of near-duplicates").format(groups=result["groups"]))
    for failure in result["failed"]:
        click.echo(_("{level}: {path} (photo {id}): {reason}").format(level=_("ERROR"), **failure))


def _group_json(group: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": group["id"],
        "event": group["event"],
        "size": group["size"],
        "pick": group["pick_id"],
        "pick_sha256": group["pick_sha256"],
        "pick_by_reviewer": bool(group["pick_by_reviewer"]),
        "members": group["member_ids"],
    }


def _across(catalog: Catalog, as_json: bool) -> None:
    """Pairs of photos in two different events that are near-duplicates; nothing is merged."""
    import numpy as np  # only here: every other command starts without it

    from archive.similar_index import HashIndex

    rows = catalog.reader.all(
        "SELECT p.id, p.phash, p.dhash, p.original_name, e.slug AS event FROM photos p"
        " LEFT JOIN events e ON e.id = p.event_id WHERE p.phash IS NOT NULL ORDER BY p.id"
    )
    rows = [r for r in rows if not featureless(int(r["dhash"], 16))]
    index = HashIndex(
        np.array([int(r["phash"], 16) for r in rows], dtype=np.uint64),
        np.array([int(r["dhash"], 16) for r in rows], dtype=np.uint64),
    )
    pairs = []
    for i, j in index.pairs():
        a, b = rows[i], rows[j]
        if a["event"] == b["event"] and a["event"] is not None:
            continue
        distance = (int(a["phash"], 16) ^ int(b["phash"], 16)).bit_count()
        pairs.append(
            {
                "photo": a["id"],
                "event": a["event"],
                "similar": b["id"],
                "similar_event": b["event"],
                "distance": distance,
            }
        )
    if as_json:
        emit_json({"photos": len(rows), "pairs": pairs})
        return
    if not pairs:
        click.echo(
            _("No near-duplicates between events ({n} photos compared).").format(n=len(rows))
        )
    names = {r["id"]: r["original_name"] or "" for r in rows}
    for pair in pairs:
        click.echo(
            _("photo {a} {name_a} ({event_a}) ~ photo {b} {name_b} ({event_b}): {d} bits").format(
                a=pair["photo"],
                name_a=names[pair["photo"]],
                event_a=pair["event"] or _("no event"),
                b=pair["similar"],
                name_b=names[pair["similar"]],
                event_b=pair["similar_event"] or _("no event"),
                d=pair["distance"],
            )
        )
