"""`archive units` and `archive events`: the registries staff look after by hand."""

from __future__ import annotations

import json

import click

from archive.cli.context import Context, emit_json, writing
from archive.errors import ArchiveError
from archive.i18n import _


@click.group(
    "units",
    invoke_without_command=True,
    short_help="List the units, or add, alias and merge them.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the units as JSON.")
@click.pass_context
def units_group(ctx: click.Context, as_json: bool) -> None:
    """List the units (with no subcommand), or add, alias and merge them.

    A unit is known by its name folded: "Uỷ ban nhân dân phường 6",
    "Ủy ban nhân dân Phường 6" and "UY BAN NHAN DAN PHUONG 6" are one unit.
    An alias ("UBND phường 6") is another name for it.
    """
    if ctx.invoked_subcommand:
        return
    units = ctx.obj.catalog(existing=True).list_units()
    for unit in units:
        unit["aliases"] = json.loads(unit["aliases"])
    if as_json:
        emit_json(units)
        return
    if not units:
        click.echo(_('No units yet. Add one: archive units add "Chi bộ Công an phường"'))
    for unit in units:
        extra = [_("kind: {kind}").format(kind=unit["kind"])] if unit["kind"] else []
        extra += [_("in: {parent}").format(parent=unit["parent"])] if unit["parent"] else []
        if unit["aliases"]:
            extra += [_("aliases: {names}").format(names="; ".join(unit["aliases"]))]
        tail = f"  ({', '.join(extra)})" if extra else ""
        photos = _("{n:>6} photos").format(n=unit["photos"])
        click.echo(f"{photos}  {unit['name']}{tail}")


@units_group.command("add")
@click.argument("name")
@click.option("--kind", help="party cell, school, committee, residential group, association…")
@click.option("--parent", metavar="UNIT", help="The unit it belongs to.")
@click.option("--dry-run", is_flag=True, help="Show what would happen; write nothing.")
@click.pass_obj
def units_add(obj: Context, name: str, kind: str | None, parent: str | None, dry_run: bool) -> None:
    """Add a unit, or set the kind and parent of an existing one."""
    catalog = obj.catalog(dry_run=dry_run)
    with writing(catalog, dry_run):
        found = catalog.find_unit(name)
        if found and kind is None and parent is None:
            click.echo(
                _("Unit already exists: {name} (nothing to change)").format(name=found["name"])
            )
        elif found:
            catalog.update_unit(name, kind=kind, parent=parent)
            line = _("Would update unit: {name}") if dry_run else _("Updated unit: {name}")
            click.echo(line.format(name=found["name"]))
        else:
            hint = catalog.suggest_unit(name)
            catalog.add_unit(name, kind=kind, parent=parent)
            line = _("Would add unit: {name}") if dry_run else _("Added unit: {name}")
            if hint:
                line += " " + _("(did you mean {hint!r}?)")
            click.echo(line.format(name=name, hint=hint))


@units_group.command("alias")
@click.argument("unit")
@click.argument("alias")
@click.option("--dry-run", is_flag=True, help="Show what would happen; write nothing.")
@click.pass_obj
def units_alias(obj: Context, unit: str, alias: str, dry_run: bool) -> None:
    """Make ALIAS another name of UNIT.

    \b
    Example:
      archive units alias "Ủy ban nhân dân phường 6" "UBND phường 6"
    """
    with writing(obj.catalog(dry_run=dry_run), dry_run) as catalog:
        catalog.add_alias(unit, alias)
        line = _("{alias} would name {unit}") if dry_run else _("{alias} now names {unit}")
        click.echo(line.format(alias=alias, unit=catalog.find_unit(unit)["name"]))


@units_group.command("merge", short_help="Merge one unit into another.")
@click.argument("source")
@click.argument("target")
@click.option("--dry-run", is_flag=True, help="Show what would happen; write nothing.")
@click.pass_obj
def units_merge(obj: Context, source: str, target: str, dry_run: bool) -> None:
    """Merge SOURCE into TARGET: its photos and events move, its name becomes an alias."""
    with writing(obj.catalog(dry_run=dry_run), dry_run) as catalog:
        moved = catalog.merge_units(source, target)
        line = (
            _("Would merge {source} into {target}: {n} photo(s) would move")
            if dry_run
            else _("Merged {source} into {target}: {n} photo(s) moved")
        )
        click.echo(line.format(source=source, target=catalog.find_unit(target)["name"], n=moved))


@click.command("events", short_help="List the events, or show one with its photos.")
@click.argument("slug", required=False)
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
@click.pass_obj
def events_command(obj: Context, slug: str | None, as_json: bool) -> None:
    """List the events, or show one (by its slug) with its photo count and units."""
    catalog = obj.catalog(existing=True)
    if slug is None:
        events = catalog.list_events()
        if as_json:
            emit_json(events)
            return
        if not events:
            click.echo(_("No events yet. Put some in: archive ingest FOLDER"))
        for event in events:
            photos = _("{n:>4} photos").format(n=event["photos"])
            click.echo(
                f"{event['date'] or '          '}  {photos}  {event['slug']}  {event['title']}"
            )
        return
    event = catalog.event_summary(slug)
    if event is None:
        raise ArchiveError(_("no event with slug {slug!r} (see: archive events)").format(slug=slug))
    if as_json:
        emit_json(event)
        return
    labels = {
        "title": _("title"),
        "slug": _("slug"),
        "date": _("date"),
        "location": _("location"),
        "organizer": _("organizer"),
        "photos": _("photos"),
        "units": _("units"),
    }
    width = max(12, *(len(label) + 2 for label in labels.values()))
    for key in ("title", "slug", "date", "location", "organizer", "photos"):
        if event.get(key) is not None:
            click.echo(f"{labels[key]:<{width}}{event[key]}")
    if event["units"]:
        click.echo(f"{labels['units']:<{width}}{'; '.join(event['units'])}")
    if event["description"]:
        click.echo("\n" + event["description"])
