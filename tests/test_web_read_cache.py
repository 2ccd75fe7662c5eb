"""The server's connections to the catalog keep a page's rows cached (archive/web/read_cache.py)."""

from __future__ import annotations

import asyncio

from archive.web import read_cache
from archive.web.site import archive_database


def test_catalog_connections_have_the_larger_page_cache(built, ds) -> None:
    async def sizes() -> tuple[int, int]:
        await ds.invoke_startup()
        catalog = await archive_database(ds).execute("PRAGMA cache_size")
        internal = await ds.databases["_internal"].execute("PRAGMA cache_size")
        return catalog.first()[0], internal.first()[0]

    catalog, internal = asyncio.run(sizes())
    assert catalog == -read_cache.CACHE_KIB
    assert internal != catalog  # other databases keep SQLite's default
