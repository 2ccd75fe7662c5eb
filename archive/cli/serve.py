"""`archive serve` and `archive demo`: show the archive in Datasette.

Datasette runs in this process (uvicorn), built by :mod:`archive.web.config`
exactly as the tests build it, so what reviewers get is what is tested. Its
metadata and the demo's example come from the package (:mod:`archive.shipped`),
or from the one file an operator names with ``--metadata``: nothing in the
current folder configures the server.
"""

from __future__ import annotations

import gc
import os
import socket
import sys
from pathlib import Path
from typing import Any

import click

from archive import shipped
from archive.cli.context import Context, run_ingest
from archive.errors import ArchiveError
from archive.i18n import N_, _
from archive.store import Store
from archive.upgrade import refuse_long_upgrade

REINSTALL = N_("reinstall it from the source (pip install .)")


def _check_port(host: str, port: int) -> None:
    """Say a busy port in one line before Datasette starts, not in uvicorn's words after."""
    try:
        socket.getaddrinfo(host, port)
    except socket.gaierror as error:
        raise ArchiveError(
            _("cannot listen on {host}: no such address; check --host").format(host=host)
        ) from error
    try:
        with socket.create_server((host, port)):
            pass
    except OSError as error:
        reason = (error.strerror or str(error)).split(" (while", 1)[0]
        raise ArchiveError(
            _("cannot listen on {host}:{port} ({reason}); choose another with --port").format(
                host=host, port=port, reason=reason
            )
        ) from error


def frozen_after_startup(app: Any) -> Any:
    """The ASGI app, moving what exists once it has started out of the collector's reach.

    Python's full (generation 2) collection walks every object the process
    keeps: the modules, Datasette, its plugins, templates. In this server that
    was a 25 ms pause in about one page in fifteen (an event page of 200
    cards: 12 ms, then 37 ms), which is a page's p95. ``gc.freeze()`` once
    startup is complete leaves those objects to the permanent generation (they
    live as long as the server) and the same pause took 4 ms.
    """

    async def wrapped(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope.get("type") != "lifespan":
            await app(scope, receive, send)
            return

        async def sending(message: dict[str, Any]) -> None:
            if message.get("type") == "lifespan.startup.complete":
                gc.freeze()
            await send(message)

        await app(scope, receive, sending)

    return wrapped


def run_datasette(
    store: Store,
    host: str,
    port: int,
    *,
    reviewers: bool = False,
    password_hash_env: str | None = None,
    metadata_file: Path | None = None,
) -> None:
    """Serve until Ctrl+C; configuration errors are one line and exit 2.

    The metadata is ``metadata_file`` when the operator named one, else the
    package's own; never a file found in the current folder.
    """
    import uvicorn

    from archive.web.config import build_datasette, load_metadata

    if metadata_file is None:
        metadata_file = shipped.metadata_path()
        if metadata_file is None:
            raise ArchiveError(_("the package has no metadata.yml: {fix}").format(fix=_(REINSTALL)))
        source = "the package's metadata.yml"
    else:
        source = str(metadata_file)
    datasette = build_datasette(
        store.catalog_path,
        load_metadata(metadata_file),
        reviewers=reviewers,
        password_hash_env=password_hash_env,
        source=source,
    )
    _check_port(host, port)
    mode = " " + _("for reviewers") if reviewers else ""
    login = ", " + _("login required") if password_hash_env else ""
    click.echo(
        _("Serving {catalog}{mode}{login} at {url}  (Ctrl+C to stop)").format(
            catalog=store.catalog_path, mode=mode, login=login, url=f"http://{host}:{port}/"
        ),
        err=True,
    )
    app = frozen_after_startup(datasette.app())
    uvicorn.run(app, host=host, port=port, log_level="warning", lifespan="on")
    sys.exit(0)


host_option = click.option(
    "--host", default="127.0.0.1", show_default=True, help="Address to listen on."
)
port_option = click.option(
    "--port",
    default=8001,
    show_default=True,
    type=click.IntRange(1, 65535),
    help="Port to listen on.",
)


@click.command("serve", short_help="Browse and search the archive in a web browser.")
@host_option
@port_option
@click.option(
    "--reviewers",
    is_flag=True,
    help="Locked down for a shared office machine: no SQL, no database download, "
    "no full CSV export.",
)
@click.option(
    "--password-hash-env",
    metavar="VAR",
    help="Require a login (user 'canbo') whose password hash is in $VAR "
    "(make one with `datasette hash-password`).",
)
@click.option(
    "--metadata",
    "metadata_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Datasette metadata (YAML or JSON) to use instead of the package's own. "
    "Queries that write need a login; --reviewers refuses them.",
)
@click.option(
    "--thumb-cache",
    "thumb_cache",
    type=click.Path(file_okay=False, path_type=Path),
    help="Archive on a bucket: keep thumbnails seen in this folder "
    "(default: .thumb-cache in the archive folder).",
)
@click.option(
    "--thumb-cache-mb",
    type=click.FloatRange(min=0),
    help="The most that folder holds, in MB (default 256); the least recently used go first.",
)
@click.pass_obj
def serve_command(
    obj: Context,
    host: str,
    port: int,
    reviewers: bool,
    password_hash_env: str | None,
    metadata_file: Path | None,
    thumb_cache: Path | None = None,
    thumb_cache_mb: float | None = None,
) -> None:
    """Browse and search the archive in Datasette (it keeps serving while you ingest).

    \b
    Examples:
      archive serve                                   http://127.0.0.1:8001/
      archive serve --reviewers --host 0.0.0.0        an office machine on the LAN
      export ARCHIVE_HASH="$(datasette hash-password)"
      archive serve --reviewers --password-hash-env ARCHIVE_HASH
      archive serve --metadata our-metadata.yml       your own titles and queries
    """
    refuse_long_upgrade(obj.root, obj.store.catalog_path)
    obj.catalog(existing=True)
    # Read by archive.web.media in this process, where Datasette serves the images.
    if thumb_cache is not None:
        os.environ["ARCHIVE_THUMB_CACHE"] = str(thumb_cache.expanduser().resolve())
    if thumb_cache_mb is not None:
        os.environ["ARCHIVE_THUMB_CACHE_MB"] = str(thumb_cache_mb)
    run_datasette(
        obj.store,
        host,
        port,
        reviewers=reviewers,
        password_hash_env=password_hash_env,
        metadata_file=metadata_file,
    )


@click.command("demo", short_help="Ingest the bundled example event and serve it.")
@host_option
@port_option
@click.option("--no-serve", is_flag=True, help="Only build the example archive.")
@click.pass_context
def demo_command(ctx: click.Context, host: str, port: int, no_serve: bool) -> None:
    """Ingest the example event shipped in the package into --root and serve it."""
    from ingest.describe import CommandLine

    events = shipped.example_events()
    if not events:
        raise ArchiveError(_("the package has no bundled example: {fix}").format(fix=_(REINSTALL)))
    code = run_ingest(ctx.obj, ctx.obj.catalog(), events, CommandLine())
    if code or no_serve:
        ctx.exit(code)
    run_datasette(ctx.obj.store, host, port)
