"""`archive init --store` and `archive store`: where an archive keeps its files.

The folder of the archive is the default; a bucket (``s3://BUCKET/PREFIX`` with
``--endpoint`` for Ceph, MinIO or another non-AWS server) is chosen at init, or
later by `archive store migrate`, which moves the files before the setting.
"""

from __future__ import annotations

import click

from archive.catalog import Catalog
from archive.cli.context import Context, ProgressBar, WaitLine, emit_json, waiting_turn
from archive.db import write_transaction
from archive.errors import ArchiveError
from archive.i18n import _, number
from archive.migrate import Moved, delete_local_copies, migrate
from archive.storage import AnyStore, parse_store_url, store_setting
from archive.store import Store


def _reachable(store: AnyStore) -> None:
    """Refuse a bucket that does not answer now, rather than at the first ingest."""
    try:
        next(iter(store.keys("originals/")), None)
    except OSError as error:
        raise ArchiveError(
            _("{store}: cannot reach the store: {reason}").format(
                store=store.describe(), reason=error.strerror or error
            )
        ) from error


def choose_store(obj: Context, catalog: Catalog, url: str, endpoint: str | None) -> None:
    """init's --store: only an archive without photos may be pointed elsewhere."""
    wanted, current = parse_store_url(obj.root, url, endpoint), obj.store
    if wanted == current:
        return
    photos = catalog.db.execute("SELECT count(*) FROM photos").fetchone()[0]
    if photos:
        raise ArchiveError(
            _(
                "{root} already holds {n} photo(s) in {store}; move them with"
                " archive store migrate --to {url}"
            ).format(root=obj.root, n=photos, store=current.describe(), url=url)
        )
    _reachable(wanted)
    with write_transaction(catalog.db):
        catalog.set_store(store_setting(getattr(wanted, "url", None)), endpoint)
    click.echo(_("Files will be kept in {store}").format(store=wanted.describe()))


@click.group(
    "store",
    invoke_without_command=True,
    short_help="Show where the files are kept, or move them.",
)
@click.pass_context
def store_group(ctx: click.Context) -> None:
    """Show where the archive keeps its files (with no subcommand), or move them.

    \b
    Examples:
      archive store
      archive store migrate --to s3://kho-anh-quan-3/phuong-6 --endpoint https://s3.quan3.example
      archive store migrate --to local
    """
    if ctx.invoked_subcommand:
        return
    obj: Context = ctx.obj
    obj.catalog(existing=True)
    if getattr(obj.store, "remote", True):
        click.echo(obj.store.describe())
    else:  # say what the bare path means: the default, nothing elsewhere
        click.echo(
            _("{path} (the files are in the archive folder itself)").format(
                path=obj.store.describe()
            )
        )


@store_group.command("migrate", short_help="Copy every file to a new store, check it, then switch.")
@click.option(
    "--to",
    "to",
    required=True,
    metavar="s3://BUCKET/PREFIX|local",
    help="The bucket to move the files into, or local: back into the archive folder.",
)
@click.option("--endpoint", metavar="URL", help="The S3 server's address (Ceph, MinIO, …).")
@click.option(
    "--delete-local",
    is_flag=True,
    help="After every file is copied and read back intact, delete the local copies.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the result as one JSON object.")
@click.pass_obj
def store_migrate(
    obj: Context, to: str, endpoint: str | None, delete_local: bool, as_json: bool
) -> None:
    """Copy every file to the new store, verify each, then switch the archive to it.

    The local files stay until --delete-local (given now, or again later).

    \b
    Examples:
      archive store migrate --to s3://kho-anh-quan-3/phuong-6 --endpoint https://s3.quan3.example
      archive store migrate --to s3://kho-anh-quan-3/phuong-6 --delete-local
      archive store migrate --to local

    Exit status: 0 switched, 1 some files failed (named; the archive stays where it was).
    """
    catalog = obj.catalog(existing=True)
    source, target = obj.store, parse_store_url(obj.root, to, endpoint)
    cleanup = source == target and delete_local and target.remote  # a migration done before
    if source == target and not cleanup:
        raise ArchiveError(_("the archive is already in {store}").format(store=source.describe()))
    if target.remote:
        _reachable(target)
    bar = ProgressBar(_("Copying"))
    waiter = WaitLine()
    with waiting_turn(waiter), source.lock(wait=waiter, purpose="migrate"):
        try:
            if cleanup:
                source = Store(obj.root)
                moved = delete_local_copies(source, target, on_plan=bar.start, progress=bar.advance)
            else:
                moved = migrate(
                    catalog,
                    source,
                    target,
                    delete_local=delete_local,
                    on_plan=bar.start,
                    progress=bar.advance,
                )
        finally:
            bar.finish()
    result = {
        "from": source.describe(),
        "to": target.describe(),
        "files": moved.files,
        "copied": moved.copied,
        "bytes": moved.bytes,
        "switched": moved.switched,
        "deleted_local": moved.deleted,
        "failed": [{"path": path, "reason": reason} for path, reason in moved.failed],
    }
    if as_json:
        emit_json(result)
    else:
        _say(moved, source, target, cleanup)
    click.get_current_context().exit(0 if moved.switched and not moved.failed else 1)


def _say(moved: Moved, source: AnyStore, target: AnyStore, cleanup: bool) -> None:
    if cleanup:
        pass  # a clean-up of a migration done before: only deletions and failures are news
    elif moved.switched:
        click.echo(
            _(
                "Copied {copied} of {files} file(s) ({mb} MB) to {to}; each read back intact."
            ).format(
                copied=moved.copied,
                files=moved.files,
                mb=number(moved.bytes / 1e6, 1),
                to=target.describe(),
            )
        )
    else:
        click.echo(
            _("{n} of {files} file(s) could not be copied; the archive stays in {store}").format(
                n=len(moved.failed), files=moved.files, store=source.describe()
            )
        )
    for path, reason in moved.failed:
        click.echo(_("ERROR: {path}: {reason}").format(path=path, reason=reason))
    if moved.deleted:
        click.echo(_("Deleted {n} local file(s).").format(n=moved.deleted))
    elif moved.switched and not source.remote:
        click.echo(_("The local files are kept; delete them with --delete-local."))
