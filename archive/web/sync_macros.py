"""The photo grid and unit lists rendered by a synchronous twin of Datasette's Jinja environment.

Datasette renders every template in Jinja's async mode, where each attribute,
item and call inside a template goes through an ``await`` helper: on the event
page's 200 cards and their lightboxes (a few thousand lookups) that is most of
the page's rendering time, and a big event's list of a few hundred units costs
another millisecond, though nothing in either awaits anything. Those macros are
pure (their cards and units are plain dicts made by :mod:`archive.web.site`), so
they are rendered by an overlay of the same environment (the same loader,
filters, globals and autoescaping) with async off, and handed to the page as
markup.
"""

from __future__ import annotations

from typing import Any

from markupsafe import Markup

MACROS = "_archive_macros.html"


def install(env: Any) -> None:
    """``archive_photo_grid(photos, lightbox=False)`` and ``archive_unit_links(units)``:
    the macros of the same names, rendered synchronously."""
    # Its own template cache: a shared one would hand the async templates to the twin.
    sync = env.overlay(enable_async=False, cache_size=50)

    def archive_photo_grid(photos: list[dict[str, Any]], lightbox: bool = False) -> Markup:
        return Markup(sync.get_template(MACROS).module.photo_grid(photos, lightbox=lightbox))

    def archive_unit_links(units: list[dict[str, Any]]) -> Markup:
        return Markup(sync.get_template(MACROS).module.unit_links(units))

    env.globals["archive_photo_grid"] = archive_photo_grid
    env.globals["archive_unit_links"] = archive_unit_links
