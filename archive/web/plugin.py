"""The archive's Datasette plugin: hooks only; the pages live in their own modules.

Registered as the ``archive`` entry point of the ``datasette`` group. On
Python 3.11 Datasette cannot find ``templates/`` and ``static/`` beside a
plugin that is a module rather than a package, so this plugin adds its
template folder to Jinja itself and serves its static files from its own
route.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from datasette import hookimpl
from datasette.utils.asgi import NotFound, Response, asgi_static
from jinja2 import ChoiceLoader, FileSystemLoader
from markupsafe import Markup

from archive import search
from archive.web import (
    absolute_urls,
    bounded_facets,
    cells,
    chrome,
    column_facets,
    csv_downloads,
    deferred_labels,
    facet_paths,
    facets,
    group_page,
    images,
    json1,
    media,
    pages,
    permission_memo,
    pick_facet,
    read_cache,
    request_args,
    request_memo,
    search_page,
    searched_table,
    shown_cells,
    sync_macros,
    table_order,
    table_search,
    text_decoding,
)
from archive.web.known_templates import KnownTemplates
from archive.web.site import Links, archive_database, unit_links, vn_date, vn_datetime

HERE = Path(__file__).resolve().parent
TEMPLATES = HERE / "templates"
STATIC = HERE / "static"
LOGIN_PLUGIN = "datasette-auth-passwords"


@hookimpl
def register_routes() -> list[tuple[str, Any]]:
    return [
        (r"^/-/search(?P<format>\.json)?$", search_page.search_view),
        (r"^/-/timeline(?P<format>\.json)?$", pages.timeline_view),
        (r"^/-/events/(?P<key>[a-z0-9-]+?)(?P<format>\.json)?$", pages.event_view),
        (r"^/-/units/(?P<slug>[a-z0-9-]+?)(?P<format>\.json)?$", pages.unit_view),
        (r"^/-/photos/(?P<id>\d{1,18})(?P<format>\.json)?$", pages.photo_view),
        (r"^/-/groups/(?P<id>\d{1,18})(?P<format>\.json)?$", group_page.group_view),
        (images.ROUTE, images.image_view),
        (r"^/-/archive-static/(?P<path>[a-z0-9_-]+\.(?:css|js|svg))$", asgi_static(STATIC)),
    ]


@hookimpl
def prepare_jinja2_environment(env: Any, datasette: Any) -> None:
    """Our templates before Datasette's and other plugins' (a --template-dir still wins).

    Templates are read once: Jinja otherwise looks at every template's file (a dozen
    ``stat`` calls a table page) on each page to see whether it changed, and the
    package's templates change only with the package, which a restart brings. For
    the same reason a name found nowhere is remembered (:class:`KnownTemplates`).
    """
    env.auto_reload = False
    loaders = [FileSystemLoader(str(TEMPLATES)), env.loader]
    if datasette.template_dir:
        loaders.insert(0, FileSystemLoader(datasette.template_dir))
    env.loader = KnownTemplates(ChoiceLoader(loaders))
    env.filters["vn_date"] = vn_date
    env.filters["vn_datetime"] = vn_datetime
    env.filters["paragraphs"] = pages.description_paragraphs
    env.filters["duration"] = media.duration_text
    env.filters["file_size"] = media.size_text
    env.globals["archive_value_label"] = media.value_label
    env.globals["archive_unit_links"] = unit_links
    env.filters["archive_row_cells"] = shown_cells.row_cells
    env.filters["archive_rows_html"] = shown_cells.rows_html
    env.filters["archive_by_name"] = shown_cells.by_name
    chrome.install(env, datasette)
    sync_macros.install(env)  # after the loader and filters: the twin shares them


@hookimpl
def startup(datasette: Any) -> None:
    """The photos table searched: counted in its index, read in its order (searched_table);
    its page renders only the cells it shows (shown_cells), and labels only those
    (deferred_labels); the catalog's schema is asked once per schema version
    (request_memo), each permission once (permission_memo), and the facets' links
    parse the page's address once (facet_paths) and are joined without urljoin
    (absolute_urls); SQLite's JSON functions are looked for once (json1); a search's
    column facets are counted in one statement (column_facets); the catalog's text is
    decoded in C, read again as Datasette reads it if it is not UTF-8 (text_decoding)."""
    shown_cells.install()
    request_args.install()
    deferred_labels.install()
    facet_paths.install()
    json1.install()
    column_facets.install()
    permission_memo.install(datasette)
    absolute_urls.install(datasette)
    try:
        catalog = archive_database(datasette)
        searched_table.install(catalog)
        request_memo.install(catalog)
        text_decoding.install(catalog)
    except NotFound:
        return


@hookimpl
def prepare_connection(conn: Any, database: str, datasette: Any) -> None:
    """The catalog's connections keep a page's rows in cache between its statements,
    and decode its text in C (text_decoding)."""
    read_cache.prepare(conn, database, datasette)
    text_decoding.prepare(conn, database, datasette)


@hookimpl
def extra_css_urls(datasette: Any) -> list[str]:
    return [datasette.urls.path("/-/archive-static/archive.css")]


@hookimpl
def extra_js_urls(datasette: Any) -> list[str]:
    """``lang="vi"`` on Datasette's pages: ``<html>`` is outside every block of its base.html."""
    return [datasette.urls.path("/-/archive-static/vi.js")]


@hookimpl
def extra_template_vars(
    datasette: Any, request: Any, database: str | None, table: str | None, view_name: str
) -> Any:
    """The search limit, for the ``maxlength`` of every search box the plugin draws;
    on the searched photos table, the line saying its facets counted a sample."""

    async def template_vars() -> dict[str, Any]:
        found: dict[str, Any] = {"archive_max_query_chars": search.MAX_QUERY_CHARS}
        if view_name == "table" and table == "photos":
            catalog = archive_database(datasette)
            if catalog.name == database:
                found["archive_facet_sample"] = await bounded_facets.sample_note(catalog, request)
        return found

    return template_vars


@hookimpl
def asgi_wrapper(datasette: Any) -> Any:
    """Repairs around Datasette: searches that would fail, CSV that Excel would run.

    A cleared or punctuation-only table search means the whole table
    (table_search); every CSV response leaves spreadsheet-safe (csv_downloads);
    an array facet of the photos' units or tags is counted from the link
    tables (facets); the photos table sorted by time pages by a key without ties
    (table_order); its page builds only the cells it shows (shown_cells); each request
    asks the catalog's schema once (request_memo).
    """

    def wrap(app: Any) -> Any:
        inner = table_search.search_wrapper(csv_downloads.csv_wrapper(app))
        inner = facets.facet_wrapper(shown_cells.shown_wrapper(inner), datasette)
        return request_memo.memo_wrapper(table_order.order_wrapper(inner))

    return wrap


@hookimpl
def filters_from_request(request: Any, table: str) -> Any:
    """A too long table search is a 400 before any SQL; a unit filter gets its index;
    "only picks" gets the literal condition its partial index needs (pick_facet)."""
    table_search.refuse_long_search(request)
    return pick_facet.combined(
        facets.linked_filters(request, table), pick_facet.picks_filters(request, table)
    )


@hookimpl
def register_facet_classes() -> list[type]:
    """The units and tags facets of the photos table, counted from the link tables;
    its "only picks" of near-duplicate groups, from the kept counts (pick_facet)."""
    return [facets.LinkedFacet, pick_facet.PicksFacet]


@hookimpl
def menu_links(datasette: Any) -> list[dict[str, str]]:
    return [
        {"href": datasette.urls.path("/-/timeline"), "label": "Dòng thời gian sự kiện"},
        {"href": datasette.urls.path("/-/search"), "label": "Tìm ảnh"},
    ]


@hookimpl
def forbidden(datasette: Any, request: Any, message: str) -> Any:
    """With a login configured, an anonymous visitor to a page is sent to it.

    JSON and images keep their plain 403: a script or an <img> cannot log in.
    """
    if request.actor is not None or not has_login(datasette):
        return None
    if request.path.endswith(".json") or request.path.startswith("/-/images/"):
        return None

    async def to_login() -> Response:
        return Response.redirect(datasette.urls.path("/-/login"))

    return to_login


def has_login(datasette: Any) -> bool:
    config = datasette.plugin_config(LOGIN_PLUGIN) or {}
    return any(key.endswith("_password_hash") and value for key, value in config.items())


# -- cells of the photos table -------------------------------------------------


@hookimpl
def render_cell(
    row: Any, value: Any, column: str, table: str | None, database: str, datasette: Any
) -> Markup | str | None:
    """Thumbnails as images and links to the plugin's pages, built from escaped text only.

    ``table`` is None for canned queries: those get the thumbnail too when
    they select the photo's ``id`` with its ``thumb_path``.
    """
    render = cells.renderer(table, column)
    if render is None:
        return None
    try:
        db = archive_database(datasette)
    except NotFound:
        return None
    if database != db.name:
        return None
    return render(Links(datasette, db.name), row, value)
