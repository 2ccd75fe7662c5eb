"""Datasette's table pages rendered by the synchronous twin of its Jinja environment.

Datasette renders every page in Jinja's async mode, where each attribute, item,
filter and call in a template goes through an ``await`` helper. The table page
is the reviewers' main screen: its rows, facets, filter form and menus are a few
thousand such lookups, and at a million photos a rare word's search spent a
quarter of its time rendering (bench/bench_search.py). Almost nothing in it
awaits: the page's data is all computed before the template runs, and the few
values that are coroutines (the menu's links, the crumbs, the table's actions)
are asked for a handful of times.

So :func:`install` has the table view's templates come from an overlay of the
same environment with async off (the same loader, filters, globals and
autoescaping; compiled once, cached apart), handed to Datasette's own
``render_template``, which still builds the whole context and runs every hook
as before. The template renders in a thread: a callable of the context whose
call gives a coroutine has it run on the server's event loop and waits for the
result (:func:`bridged`), so any plugin's async template variable still works.
The bytes are the async rendering's (tests/test_web_sync_table.py).
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Callable
from typing import Any

from jinja2 import Template

VIEWS = frozenset({"table"})


class SyncTemplate(Template):
    """A template of the synchronous twin, rendered in a thread when Datasette awaits it."""

    async def render_async(self, *args: Any, **kwargs: Any) -> str:
        loop = asyncio.get_running_loop()
        context = {key: bridged(value, loop) for key, value in dict(*args, **kwargs).items()}
        return await asyncio.to_thread(self.render, context)


def bridged(value: Any, loop: asyncio.AbstractEventLoop) -> Any:
    """value, or for a function, one whose coroutine result is awaited on loop."""
    if not callable(value) or isinstance(value, type):
        return value

    def call(*args: Any, **kwargs: Any) -> Any:
        result = value(*args, **kwargs)
        if inspect.isawaitable(result):
            return asyncio.run_coroutine_threadsafe(_awaited(result), loop).result()
        return result

    return call


async def _awaited(awaitable: Any) -> Any:
    return await awaitable


def twin_of(twin: Any, templates: Any) -> Any:
    """The twin's template for Datasette's choice: a template it picked (a view picks its
    own, by name, from the async environment), or the names it would pick from."""
    if isinstance(templates, Template):
        return twin.get_template(templates.name)
    return twin.select_template([templates] if isinstance(templates, str) else list(templates))


def install(datasette: Any) -> None:
    """The table view's templates from the synchronous twin of ``datasette.jinja_env``.

    Called once the environment is prepared (the startup hook): the twin shares the
    loader and filters the archive and other plugins put there.
    """
    twin = datasette.jinja_env.overlay(enable_async=False, cache_size=100)
    twin.template_class = SyncTemplate
    original: Callable[..., Any] = datasette.render_template

    async def render_template(
        templates: Any, context: Any = None, request: Any = None, view_name: Any = None
    ) -> str:
        if view_name in VIEWS:
            templates = twin_of(twin, templates)
        return await original(templates, context, request=request, view_name=view_name)

    datasette.render_template = render_template
