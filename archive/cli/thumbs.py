"""`archive thumbs`: remake thumbnails from the originals in the store.

Thumbnails are derivatives: whatever happens to them (deleted, cut short by
a full disk, made by an older version) they are rebuilt from the original and
the catalog, which is what `verify` tells staff to do with a bad one. Only
files under ``thumbs/`` are ever rewritten.
"""

from __future__ import annotations

import click

from archive.cli.context import Context, ProgressBar, emit_json
from archive.store import THUMB_SIZES, Store
from archive.verify import thumbnail_problem
from ingest.thumbs import ImageError, make_thumbnails


def _needs_work(store: Store, row: dict, everything: bool) -> bool:
    paths = (store.thumb_relpath(row["sha256"], size) for size in THUMB_SIZES)
    return everything or any(thumbnail_problem(store, rel) for rel in paths)


def remake(store: Store, row: dict) -> None:
    """Both sizes from the original: the 320 is made from the 1280, as at ingest."""
    data = store.path(row["original_path"]).read_bytes()
    for size, jpeg in make_thumbnails(data, THUMB_SIZES).items():
        store.replace_derivative(store.thumb_relpath(row["sha256"], size), jpeg)


@click.command("thumbs")
@click.option(
    "--all", "everything", is_flag=True, help="Remake every thumbnail, not only bad ones."
)
@click.option("--dry-run", is_flag=True, help="Say which would be remade; write nothing.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as one JSON object.")
@click.pass_obj
def thumbs_command(obj: Context, everything: bool, dry_run: bool, as_json: bool) -> None:
    """Remake missing or damaged thumbnails (or --all) from the originals in the store.

    Exit status: 0 all good, 1 some could not be remade (their originals are named).
    """
    store, catalog = obj.store, obj.catalog(existing=True)
    rows = list(catalog.db.query("SELECT id, sha256, original_path FROM photos ORDER BY id"))
    result: dict = {"dry_run": dry_run, "photos": len(rows), "remade": 0, "failed": []}
    bar = ProgressBar("Thumbnails")
    bar.start(len(rows))
    try:
        for row in rows:
            bar.advance(1)
            if not _needs_work(store, row, everything):
                continue
            try:
                if not dry_run:
                    remake(store, row)
                result["remade"] += 1
            except (ImageError, OSError, ValueError) as error:
                reason = getattr(error, "strerror", None) or str(error)
                result["failed"].append(
                    {"id": row["id"], "path": row["original_path"], "reason": reason}
                )
    finally:
        bar.finish()
    if as_json:
        emit_json(result)
    else:
        verb = "Would remake" if dry_run else "Remade"
        click.echo(f"{verb} the thumbnails of {result['remade']} of {len(rows)} photo(s)")
        for failure in result["failed"]:
            click.echo(f"ERROR: {failure['path']} (photo {failure['id']}): {failure['reason']}")
    click.get_current_context().exit(1 if result["failed"] else 0)
