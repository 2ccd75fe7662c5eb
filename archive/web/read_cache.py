"""A page cache for the server's catalog connections large enough to hold a page's rows.

SQLite gives each connection 2 MB of page cache unless told otherwise. A
searched photos table runs its first page and then seven facets over the
same matches (archive/web/bounded_facets.py), each looking up the same photo
rows, a few kilobytes each; with 2 MB the rows of one statement are gone by
the next, and each facet reads them again from the file. With 16 MB a rare
word's facets at a million photos took 0.3-0.5 ms instead of 1.3 ms each and
its first page 1.8 ms instead of 2.7 ms (bench/bench_search.py's catalog, one
sqlite3 connection, same statements). A common word's sample outgrows any
such cache and gains nothing, which is why the figure is not larger: 16 MB
for each of Datasette's read connections (three by default) is the cost.
"""

from __future__ import annotations

from typing import Any

from datasette.utils.asgi import NotFound

from archive.web.site import archive_database

CACHE_KIB = 16 * 1024


def prepare(conn: Any, database: str, datasette: Any) -> None:
    """Give a connection to the archive's catalog its page cache; others are left alone."""
    try:
        catalog = archive_database(datasette).name
    except NotFound:
        return
    if database == catalog:
        conn.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
