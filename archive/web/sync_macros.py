"""The photo grid rendered by a synchronous twin of Datasette's Jinja environment.

Datasette renders every template in Jinja's async mode, where each attribute,
item and call inside a template goes through an ``await`` helper: on the event
page's cards and their lightboxes (a few thousand lookups) that is most of
the page's rendering time, though nothing in the grid awaits anything. The grid
macro is pure (its cards are plain dicts made by :mod:`archive.web.site`), so it
is rendered by an overlay of the same environment (the same loader, filters,
globals and autoescaping) with async off, and handed to the page as markup.
"""

from __future__ import annotations

from typing import Any

from markupsafe import Markup

MACROS = "_archive_macros.html"


def install(env: Any) -> None:
    """``archive_photo_grid(photos, lightbox=False)``: the grid macro, rendered synchronously."""
    # Its own template cache: a shared one would hand the async templates to the twin.
    sync = env.overlay(enable_async=False, cache_size=50)

    def archive_photo_grid(photos: list[dict[str, Any]], lightbox: bool = False) -> Markup:
        return Markup(sync.get_template(MACROS).module.photo_grid(photos, lightbox=lightbox))

    env.globals["archive_photo_grid"] = archive_photo_grid
