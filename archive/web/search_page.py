"""``/-/search?q=…``: the smart search, as a page and as JSON.

The matching and ranking live in :mod:`archive.search` (one definition for
every caller); this view runs its SQL on Datasette's read connection, under
Datasette's time limit, and shows one page of results.
"""

from __future__ import annotations

from typing import Any

from datasette.utils.asgi import Response

from archive import search
from archive.web.pages import page_number, page_url, respond
from archive.web.site import Links, archive_database, ensure_can_view

PAGE_SIZE = 60


async def search_view(request: Any, datasette: Any) -> Response:
    db = archive_database(datasette)
    await ensure_can_view(datasette, request, db.name, ("photos",))
    links = Links(datasette, db.name)
    text = (request.args.get("q") or "").strip()
    page = page_number(request)
    query = search.parse(text)
    results: list[dict[str, Any]] = []
    total = 0
    if query is not None:
        count, count_params = search.count_sql(query)
        total = (await db.execute(count, count_params)).single_value()
        sql, params = search.smart_sql(query, PAGE_SIZE, (page - 1) * PAGE_SIZE)
        for row in (await db.execute(sql, params)).rows:
            row = dict(row)
            card = links.photo_card(row)
            card["match"] = _match_kind(row)
            results.append(card)
    pages = max(1, -(-total // PAGE_SIZE))
    data = {
        "q": text,
        "words": [
            {"word": w.exact, "folded": w.folded, "exact_only": w.strict}
            for w in (query.words if query else ())
        ],
        "total": total,
        "page": page,
        "pages": pages,
        "next_url": page_url(request, page + 1) if page < pages else None,
        "previous_url": page_url(request, page - 1) if page > 1 else None,
        "table_url": links.table("photos", _search=text) if text else None,
        "results": results,
    }
    return await respond(datasette, request, "archive_search.html", data)


def _match_kind(row: dict[str, Any]) -> str:
    """How a result matched, best first: the ranking shown to the reader and in JSON."""
    if row["exact_phrase"]:
        return "exact_phrase"
    if row["exact_words"]:
        return "exact_words"
    if row["folded_phrase"]:
        return "folded_phrase"
    return "folded_words"
