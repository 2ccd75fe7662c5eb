"""A template loader that remembers the names it did not find.

Each page offers Datasette a list of templates, the most particular first
(``table-catalog-photos.html`` before ``table.html``). Jinja caches the
templates it loads (and, the server's templates being read once, never looks
at their files again), but a name with no file is looked for again in every
folder of every loader on each page.
"""

from __future__ import annotations

from typing import Any

from jinja2 import BaseLoader, TemplateNotFound

__all__ = ["KnownTemplates"]


class KnownTemplates(BaseLoader):
    """``loader``, but a name it did not have is not asked for again (found templates
    are Jinja's to cache). For a server whose templates change only with a restart."""

    def __init__(self, loader: BaseLoader) -> None:
        self.loader = loader
        self.missing: set[str] = set()

    def get_source(self, environment: Any, template: str) -> Any:
        if template in self.missing:
            raise TemplateNotFound(template)
        try:
            return self.loader.get_source(environment, template)
        except TemplateNotFound:
            self.missing.add(template)
            raise

    def load(self, environment: Any, name: str, globals: Any = None) -> Any:
        if name in self.missing:
            raise TemplateNotFound(name)
        try:
            return self.loader.load(environment, name, globals)
        except TemplateNotFound:
            self.missing.add(name)
            raise

    def list_templates(self) -> list[str]:
        return self.loader.list_templates()
