"""`archive serve` and `archive demo`: show the archive in Datasette."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import click

from archive.cli import ConfigError, Context
from archive.store import Store

PROJECT_DIR = Path(__file__).resolve().parents[1]


def project_file(name: str) -> Path | None:
    """A file of the checkout (metadata.yml, examples/), else one in the current folder."""
    for base in (PROJECT_DIR, Path.cwd()):
        if (base / name).exists():
            return base / name
    return None


def datasette_args(store: Store, host: str, port: int) -> list[str]:
    args = [
        sys.executable,
        "-m",
        "datasette",
        "serve",
        str(store.catalog_path),
        "--host",
        host,
        "--port",
        str(port),
    ]
    metadata = project_file("metadata.yml")
    if metadata:
        args += ["--metadata", str(metadata)]
    return args


def run_datasette(store: Store, host: str, port: int) -> None:
    args = datasette_args(store, host, port)
    click.echo(f"Serving {store.catalog_path} at http://{host}:{port}/  (Ctrl+C to stop)", err=True)
    try:
        sys.exit(subprocess.call(args, env={**os.environ, "ARCHIVE_ROOT": str(store.root)}))
    except KeyboardInterrupt:
        sys.exit(0)


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8001, show_default=True, type=int, help="Port to listen on.")
@click.pass_obj
def serve_command(obj: Context, host: str, port: int) -> None:
    """Browse and search the archive in Datasette (it keeps serving while you ingest)."""
    obj.catalog()
    run_datasette(obj.store, host, port)


@click.command("demo")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8001, show_default=True, type=int, help="Port to listen on.")
@click.option("--no-serve", is_flag=True, help="Only build the example archive.")
@click.pass_context
def demo_command(ctx: click.Context, host: str, port: int, no_serve: bool) -> None:
    """Ingest the bundled example event into --root and serve it."""
    from archive.cli_ingest import run_ingest
    from ingest.describe import CommandLine

    examples = project_file("examples")
    if examples is None:
        raise ConfigError("examples/ not found: run this from a checkout of the project")
    code = run_ingest(ctx.obj, [examples], CommandLine())
    if code or no_serve:
        ctx.exit(code)
    run_datasette(ctx.obj.store, host, port)
