"""The long lists of the archive's pages rendered by a synchronous twin of Datasette's Jinja.

Datasette renders every template in Jinja's async mode, where each attribute,
item and call inside a template goes through an ``await`` helper: on the event
page's cards and their lightboxes (a few thousand lookups) that is most of
the page's rendering time, though nothing in the grid awaits anything. The grid
macro is pure (its cards are plain dicts made by :mod:`archive.web.site`), so it
is rendered by an overlay of the same environment (the same loader, filters,
globals and autoescaping) with async off, and handed to the page as markup.
The unit page's events, the timeline's months and the search's results are lists
of the same kind.
"""

from __future__ import annotations

from typing import Any

from markupsafe import Markup

MACROS = "_archive_macros.html"


# The macros of MACROS offered as ``archive_<name>`` globals, rendered synchronously.
SYNCHRONOUS = ("photo_grid", "unit_events", "timeline_months", "search_results")


def install(env: Any) -> None:
    """``archive_photo_grid(photos, lightbox=False)``, ``archive_unit_events(events)``,
    ``archive_timeline_months(months)``, ``archive_search_results(results)``: those macros,
    rendered synchronously."""
    # Its own template cache: a shared one would hand the async templates to the twin.
    sync = env.overlay(enable_async=False, cache_size=50)

    def rendered(name: str) -> Any:
        def render(*args: Any, **kwargs: Any) -> Markup:
            macro = getattr(sync.get_template(MACROS).module, name)
            return Markup(macro(*args, **kwargs))

        render.__name__ = f"archive_{name}"
        return render

    for name in SYNCHRONOUS:
        env.globals[f"archive_{name}"] = rendered(name)
