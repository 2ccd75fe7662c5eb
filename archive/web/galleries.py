"""Gallery downloads in Datasette: the export JSON and the offline bundle as a ZIP.

``/-/galleries/SLUG.json`` is byte for byte what ``archive export SLUG`` prints
(the same :func:`archive.export.export_gallery` on the same rows; only
``generated_at`` moves), and ``/-/galleries/SLUG.zip`` is the folder
``archive export SLUG --bundle DIR`` writes. SLUG is a gallery, else an event
(``?kind=event`` asks for the event even when a gallery has its slug);
``?public=1`` is ``--public``. The archive folder is the one holding the
``catalog.db`` Datasette opened. Rows come through :class:`archive.reader.Reader`:
nothing here can write to the catalog.

Links appear where a reviewer looks at a gallery or an event: the ``slug``
cell of the ``galleries`` and ``events`` tables and rows, and the
``gallery_downloads(slug, kind)`` template function for the plugin's pages.
"""

from __future__ import annotations

import asyncio
import os
import tempfile
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from datasette import hookimpl
from datasette.utils.asgi import NotFound, Response, asgi_send_file
from markupsafe import Markup

from archive.bundle import write_zip
from archive.export import ExportOptions, GalleryExport, export_gallery
from archive.reader import Reader
from archive.storage import open_store
from archive.store import Store
from archive.web.queries import read
from archive.web.site import archive_database, archive_root, ensure_can_view

ROUTE = r"^/-/galleries/(?P<slug>[a-z0-9][a-z0-9-]*)\.(?P<format>json|zip)$"
CHUNK = 1 << 20


@hookimpl
def register_routes() -> list[tuple[str, Any]]:
    return [(ROUTE, gallery_download)]


def download_links(datasette: Any, slug: str, kind: str | None = None) -> list[dict[str, str]]:
    """The JSON and ZIP links of a gallery or event, for templates and cells."""
    query = f"?{urlencode({'kind': 'event'})}" if kind == "event" else ""
    return [
        {"label": label, "href": datasette.urls.path(f"/-/galleries/{slug}.{ext}{query}")}
        for label, ext in (("JSON", "json"), ("Tải bộ ảnh (ZIP)", "zip"))
    ]


@hookimpl
def extra_template_vars(datasette: Any) -> dict[str, Any]:
    return {"gallery_downloads": lambda slug, kind=None: download_links(datasette, slug, kind)}


@hookimpl
def render_cell(value: Any, column: str, table: str | None, datasette: Any) -> Markup | None:
    """The slug of a gallery or event, followed by its downloads."""
    if column != "slug" or table not in ("galleries", "events") or not isinstance(value, str):
        return None
    kind = "event" if table == "events" else None
    links = Markup(" · ").join(
        Markup('<a href="{}">{}</a>').format(link["href"], link["label"])
        for link in download_links(datasette, value, kind)
    )
    return Markup("{} <small>({})</small>").format(value, links)


async def gallery_download(request: Any, datasette: Any) -> Any:
    db = archive_database(datasette)
    await ensure_can_view(datasette, request, db.name, ("photos", "events"))
    slug, fmt = request.url_vars["slug"], request.url_vars["format"]
    kind = "event" if request.args.get("kind") == "event" else None
    public = request.args.get("public", "") in ("1", "true", "on", "yes")

    def gallery(reader: Reader) -> GalleryExport | None:
        ref = reader.find_gallery(slug, kind)
        if ref is None:
            return None
        options = ExportOptions(public=public, base_url=reader.setting("base_url"))
        return export_gallery(reader, ref, options)

    export = await read(db, gallery, time_limit=False)
    if export is None:
        raise NotFound("Không có bộ ảnh hay sự kiện này")
    if fmt == "json":
        return Response(
            export.to_json().encode("utf-8"), content_type="application/json; charset=utf-8"
        )
    path = await asyncio.to_thread(_zip_to_file, open_store(archive_root(db)), export)
    suffix = "-public" if public else ""
    return TemporaryDownload(path, f"{export.gallery['slug']}{suffix}.zip")


def _zip_to_file(store: Store, export: GalleryExport) -> Path:
    """The ZIP on disk, not in memory: a year's gallery of previews is gigabytes."""
    fd, name = tempfile.mkstemp(prefix="gallery-", suffix=".zip")
    try:
        with os.fdopen(fd, "wb") as handle:
            write_zip(store, export, handle)
    except BaseException:
        os.unlink(name)
        raise
    return Path(name)


class TemporaryDownload:
    """An ASGI response streaming a temporary file, removed once sent (or abandoned).

    Datasette's own file sender reads through aiofiles, in a worker thread: a
    gigabyte ZIP read in the event loop would stall every other reviewer's
    page for as long as the disk takes.
    """

    def __init__(self, path: Path, filename: str) -> None:
        self.path, self.filename = path, filename

    async def asgi_send(self, send: Any) -> None:
        try:
            await asgi_send_file(
                send,
                self.path,
                filename=self.filename,
                content_type="application/zip",
                chunk_size=CHUNK,
            )
        finally:
            await asyncio.to_thread(self.path.unlink, missing_ok=True)
