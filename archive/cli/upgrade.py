"""`archive upgrade`: the pending schema migrations of an older archive, one line each."""

from __future__ import annotations

import click

from archive import upgrade
from archive.cli.context import Context
from archive.errors import ArchiveError
from archive.i18n import _, ngettext, number


@click.command("upgrade", short_help="Bring an archive made by an older version up to date.")
@click.pass_obj
def upgrade_command(obj: Context) -> None:
    """Bring an archive made by an older version up to date (before `archive serve`).

    Each step is said as it starts and when it is done. On a large archive some
    steps read every photo and take minutes; stopped halfway, the finished steps
    stay done and running it again goes on from there.
    """
    store = obj.store
    if not store.catalog_path.exists():
        raise ArchiveError(
            _("{path}: no archive here (catalog.db not found)").format(path=obj.root)
        )

    def starting(number: int, total: int, step: upgrade.Step) -> None:
        click.echo(
            _("[{number}/{total}] {name}: {summary}…").format(
                number=number, total=total, name=step.name, summary=step.summary
            ),
            err=True,
        )

    def done(step: upgrade.Step, seconds: float) -> None:
        click.echo(_("      done in {seconds} s").format(seconds=number(seconds, 1)), err=True)

    steps = upgrade.upgrade(store.catalog_path, starting, done)
    if steps:
        said = ngettext(
            "Archive up to date: {n} step applied",
            "Archive up to date: {n} steps applied",
            len(steps),
        )
        click.echo(said.format(n=len(steps)))
    else:
        click.echo(_("Archive already up to date: nothing to do"))
