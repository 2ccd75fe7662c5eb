"""`archive photos private` and `archive settings`: what decides how photos leave the archive."""

from __future__ import annotations

import click

from archive.cli.context import Context, emit_json, writing
from archive.i18n import _
from archive.reader import SETTINGS


@click.group("photos")
def photos_group() -> None:
    """Photo flags that decide what leaves the archive."""


@photos_group.command("private", short_help="Keep photos out of public exports (or --off).")
@click.argument("photos", nargs=-1, required=True)
@click.option("--off", is_flag=True, help="Make them public again.")
@click.option("--dry-run", is_flag=True, help="Show what would happen; write nothing.")
@click.pass_obj
def photos_private(obj: Context, photos: tuple[str, ...], off: bool, dry_run: bool) -> None:
    """Mark PHOTOS (ids or SHA-256 prefixes) private: left out of every --public export.

    For example close-ups of pupils, or of people who did not agree to be published.
    """
    with writing(obj.catalog(dry_run=dry_run), dry_run) as catalog:
        ids = catalog.resolve_photos(photos)
        changed = catalog.set_private(ids, not off)
        if dry_run:
            line = (
                _("{n} photo(s) would be marked public; {there} already are")
                if off
                else _("{n} photo(s) would be marked private; {there} already are")
            )
        else:
            line = (
                _("{n} photo(s) marked public; {there} already were")
                if off
                else _("{n} photo(s) marked private; {there} already were")
            )
        click.echo(line.format(n=changed, there=len(ids) - changed))


@click.group(
    "settings",
    invoke_without_command=True,
    short_help="Show or change the archive's settings.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the settings as JSON.")
@click.pass_context
def settings_group(ctx: click.Context, as_json: bool) -> None:
    """Show the archive's settings (with no subcommand), or set and unset them.

    \b
    Example:
      archive settings set rights http://rightsstatements.org/vocab/InC/1.0/
      archive settings set required_statement "Ảnh: Ủy ban nhân dân phường 6"
    """
    if ctx.invoked_subcommand:
        return
    settings = ctx.obj.catalog(existing=True).settings()
    if as_json:
        emit_json(settings)
        return
    for key, value in settings.items():
        click.echo(f"{key:<26}{value if value is not None else _('(not set)')}")
        click.echo(f"{'':<26}{_(SETTINGS[key]).format(field=key)}")


@settings_group.command("set")
@click.argument("key", type=click.Choice(list(SETTINGS)))
@click.argument("value")
@click.option("--dry-run", is_flag=True, help="Show what would happen; write nothing.")
@click.pass_obj
def settings_set(obj: Context, key: str, value: str, dry_run: bool) -> None:
    """Set KEY to VALUE."""
    with writing(obj.catalog(dry_run=dry_run), dry_run) as catalog:
        catalog.set_setting(key, value)
        line = _("{key} would be {value}") if dry_run else "{key} = {value}"
        click.echo(line.format(key=key, value=catalog.setting(key)))


@settings_group.command("unset")
@click.argument("key", type=click.Choice(list(SETTINGS)))
@click.option("--dry-run", is_flag=True, help="Show what would happen; write nothing.")
@click.pass_obj
def settings_unset(obj: Context, key: str, dry_run: bool) -> None:
    """Clear KEY."""
    with writing(obj.catalog(dry_run=dry_run), dry_run) as catalog:
        catalog.set_setting(key, None)
        line = _("{key} would be cleared") if dry_run else _("{key} cleared")
        click.echo(line.format(key=key))
