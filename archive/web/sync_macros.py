"""The long lists of the archive's pages rendered by a synchronous twin of Datasette's Jinja.

Datasette renders every template in Jinja's async mode, where each attribute,
item and call inside a template goes through an ``await`` helper: on the event
page's cards and their lightboxes (a few thousand lookups) that is most of
the page's rendering time, though nothing in the grid awaits anything; and each
piece of output passes up through every template the page extends. The lists
are pure (their items are plain dicts made by :mod:`archive.web.site`), so they
are rendered by an overlay of the same environment (the same loader, filters,
globals and autoescaping) with async off, and handed to the page as markup:
the unit page's events, the timeline's months, the search's results; the
photo grid, the longest, is written in Python (:mod:`archive.web.grid_html`,
held to its macro). The twin also renders the body of the table page whole
(its facets included), with the page's variables, once its one awaited value
(the table's actions) is read.
Rendering in the twin is no more blocking than Jinja's async mode, which awaits
nothing that is not awaitable and so never yields to the event loop either.
"""

from __future__ import annotations

from typing import Any

from jinja2 import pass_context
from markupsafe import Markup

from archive.web import grid_html

MACROS = "_archive_macros.html"


# The macros of MACROS offered as ``archive_<name>`` globals, rendered synchronously.
# The photo grid is written in Python (archive.web.grid_html), held to its macro.
SYNCHRONOUS = ("unit_events", "timeline_months", "search_results")
BADGE = "_archive_group_badge.html"


def install(env: Any) -> None:
    """``archive_photo_grid(photos, lightbox=False)``, ``archive_unit_events(events)``,
    ``archive_timeline_months(months)``, ``archive_search_results(results)``: those
    macros, rendered synchronously; and
    ``archive_render_sync(name, **values)``: a whole template, rendered synchronously
    with the calling page's variables and ``values`` (which the caller awaited)."""
    # Its own template cache: a shared one would hand the async templates to the twin.
    sync = env.overlay(enable_async=False, cache_size=50)

    def rendered(name: str) -> Any:
        def render(*args: Any, **kwargs: Any) -> Markup:
            macro = getattr(sync.get_template(MACROS).module, name)
            return Markup(macro(*args, **kwargs))

        render.__name__ = f"archive_{name}"
        return render

    @pass_context
    def render_sync(context: Any, name: str, **values: Any) -> Markup:
        return Markup(sync.get_template(name).render({**context.get_all(), **values}))

    def badge(card: Any) -> Markup:
        return Markup(sync.get_template(BADGE).module.group_badge(card))

    def photo_grid(photos: Any, lightbox: bool = False) -> Markup:
        return grid_html.photo_grid(photos, lightbox, badge=badge)

    for name in SYNCHRONOUS:
        env.globals[f"archive_{name}"] = rendered(name)
    env.globals["archive_photo_grid"] = photo_grid
    env.globals["archive_render_sync"] = render_sync
