"""A template loader that remembers the names it did not find.

Each page offers Datasette a list of templates, the most particular first
(``table-catalog-photos.html`` before ``table.html``). Jinja caches the
templates it loads (and, the server's templates being read once, never looks
at their files again), but a name with no file is looked for again in every
folder of every loader on each page.

The names remembered are bounded: Datasette also looks for ``pages/<path>.html``
for any address it has no page for, so a visitor chooses those names.
"""

from __future__ import annotations

from typing import Any

from jinja2 import BaseLoader, TemplateNotFound

__all__ = ["KnownTemplates"]

REMEMBERED = 1024  # missing names kept at most (then forgotten all at once)


class KnownTemplates(BaseLoader):
    """``loader``, but a name it did not have is not asked for again (found templates
    are Jinja's to cache). For a server whose templates change only with a restart."""

    def __init__(self, loader: BaseLoader) -> None:
        self.loader = loader
        self.missing: set[str] = set()

    def get_source(self, environment: Any, template: str) -> Any:
        return self._unless_missing(template, self.loader.get_source, environment, template)

    def load(self, environment: Any, name: str, globals: Any = None) -> Any:
        return self._unless_missing(name, self.loader.load, environment, name, globals)

    def _unless_missing(self, name: str, ask: Any, *args: Any) -> Any:
        """``ask(*args)``, unless ``name`` was found nowhere before (then remembered so)."""
        if name in self.missing:
            raise TemplateNotFound(name)
        try:
            return ask(*args)
        except TemplateNotFound:
            self._remember(name)
            raise

    def _remember(self, name: str) -> None:
        if len(self.missing) >= REMEMBERED:
            self.missing.clear()
        self.missing.add(name)

    def list_templates(self) -> list[str]:
        return self.loader.list_templates()
