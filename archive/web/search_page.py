"""``/-/search?q=…``: the smart search, as a page and as JSON.

The matching and ranking live in :mod:`archive.search` (one definition for
every caller); this view runs its SQL on Datasette's read connection, under
Datasette's time limit, and shows one page of results.

What a reviewer cannot fix by retyping never reaches SQLite: a query longer
than :data:`archive.search.MAX_QUERY_CHARS` is refused before it is parsed,
and a query that still runs out of time is a 400 with a Vietnamese line
(never Datasette's 500, whose message would carry the SQL).
"""

from __future__ import annotations

from typing import Any

from datasette.database import QueryInterrupted
from datasette.utils.asgi import Response

from archive import search, search_rank
from archive.web.pages import last_page_at_most, page_number, page_url, respond
from archive.web.site import Links, archive_database, ensure_can_view
from archive.web.table_search import TOO_LONG

PAGE_SIZE = 60
TOO_SLOW = "Tìm kiếm này mất quá nhiều thời gian: hãy gõ ít chữ hơn rồi tìm lại."


async def search_view(request: Any, datasette: Any) -> Response:
    db = archive_database(datasette)
    await ensure_can_view(datasette, request, db.name, ("photos",))
    links = Links(datasette, db.name)
    text = (request.args.get("q") or "").strip()
    if len(text) > search.MAX_QUERY_CHARS:
        message = TOO_LONG.format(n=len(text), max=search.MAX_QUERY_CHARS)
        return await _refuse(datasette, request, text, message)
    asked = page_number(request)
    query = search.parse(text)
    try:
        total, more, page, pages, results = await _results(db, links, query, asked)
    except QueryInterrupted:
        return await _refuse(datasette, request, text, TOO_SLOW)
    data = {
        "q": text,
        "words": [
            {"word": w.exact, "folded": w.folded, "exact_only": w.strict}
            for w in (query.words if query else ())
        ],
        "total": total,
        "total_is_floor": more,
        "page": page,
        "pages": pages,
        "next_url": page_url(request, page + 1) if page < pages else None,
        "previous_url": page_url(request, page - 1) if page > 1 else None,
        "table_url": links.table("photos", _search=text) if text else None,
        "results": results,
    }
    return await _page(datasette, request, data)


async def _results(
    db: Any, links: Links, query: search.SmartQuery | None, asked: int
) -> tuple[int, bool, int, int, list[dict[str, Any]]]:
    """Total (and whether it is a floor), page shown (the last when asked for more), pages,
    and that page's photos.

    The page asked for is fetched with its total in one plan (search_rank counts
    at bounded cost); only a page past the last is fetched again, as the last.
    """
    if query is None:
        return 0, False, 1, 1, []

    async def fetch(number: int) -> search_rank.Page:
        steps = search_rank.plan(query, PAGE_SIZE, (number - 1) * PAGE_SIZE)
        return await search_rank.run_async(db.execute, steps)

    found = await fetch(asked)
    page, pages = last_page_at_most(asked, found.total, PAGE_SIZE)
    if page != asked:
        found = await fetch(page)
    results = []
    for row in found.rows:
        card = links.photo_card(row)
        card["match"] = _match_kind(row)
        results.append(card)
    return found.total, found.more, page, pages, results


async def _refuse(datasette: Any, request: Any, text: str, message: str) -> Response:
    """A 400 the reviewer can act on: the search page (box kept) or Datasette's JSON error."""
    if request.url_vars.get("format") == ".json":
        return Response.json(
            {"ok": False, "error": message, "status": 400, "title": None}, status=400
        )
    data = {"q": text[: search.MAX_QUERY_CHARS], "error": message}
    return await _page(datasette, request, data, status=400)


async def _page(datasette: Any, request: Any, data: dict[str, Any], status: int = 200) -> Response:
    return await respond(datasette, request, "archive_search.html", data, status)


def _match_kind(row: dict[str, Any]) -> str:
    """How a result matched, best first: the ranking shown to the reader and in JSON."""
    if row["exact_phrase"]:
        return "exact_phrase"
    if row["exact_words"]:
        return "exact_words"
    if row["folded_phrase"]:
        return "folded_phrase"
    return "folded_words"
