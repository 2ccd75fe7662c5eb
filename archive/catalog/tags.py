"""The tags repository: a tag is one however its name is typed (folded slug)."""

from __future__ import annotations

from archive.catalog.rows import Repository
from archive.text import clean, slugify


class Tags(Repository):
    def ensure_tag(self, name: str) -> int:
        """The tag's id, creating it as first written when unseen."""
        slug = slugify(name)
        found = self._one("SELECT id FROM tags WHERE slug = ?", (slug,))
        if found:
            return found["id"]
        return self.db["tags"].insert({"slug": slug, "name": clean(name)}).last_pk
