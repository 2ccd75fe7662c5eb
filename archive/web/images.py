"""Thumbnails, previews and originals, served only to who may see the photos table.

The URL names a photo (by id or SHA-256) and a size, never a file: the path is
read from the catalog and must resolve inside the archive root, so no request
can reach another file on the machine. Refusals are plain 403s (not the login
redirect pages get) because an <img> cannot follow one to a login form.
Every answer honours ``Range`` (archive/web/media_response.py), so a video
player can seek; the file itself is reached only through
archive/web/media_file.py, the one place a store other than a folder plugs in.
"""

from __future__ import annotations

import mimetypes
from typing import Any
from urllib.parse import quote

from datasette import Forbidden
from datasette.utils.asgi import Response

from archive.web import queries
from archive.web.bucket_media import bucket_of, open_bucket_media
from archive.web.media_file import open_media
from archive.web.media_response import MediaResponse
from archive.web.site import archive_database, archive_root, ensure_can_view

ROUTE = r"^/-/images/(?P<size>thumb|preview|original|playback)/(?P<key>\d{1,18}|[0-9a-f]{64})$"


async def image_view(request: Any, datasette: Any) -> Any:
    db = archive_database(datasette)
    try:
        await ensure_can_view(datasette, request, db.name)
    except Forbidden:
        return Response.text("403: không có quyền xem ảnh này", status=403)
    size, key = request.url_vars["size"], request.url_vars["key"]
    found = await queries.image_path(db, size, key)
    bucket = await bucket_of(db, archive_root(db))  # None: the files are in the folder
    relpath = found["path"] if found and found["path"] else None
    try:
        if relpath is None:
            media = None
        elif bucket is not None:
            media = await open_bucket_media(bucket, relpath)
        else:
            media = open_media(archive_root(db), relpath)
    except OSError:
        return Response.text("502: không đọc được ảnh từ kho lưu trữ", status=502)
    if media is None:
        return Response.text("404: không có ảnh này", status=404)
    # A clip's playback is its original until `archive thumbs --videos` makes a transcode:
    # which file it is belongs in the tag, or a player would mix bytes of the two.
    which = f"-{found['path'].split('/', 1)[0]}" if size == "playback" else ""
    headers = {
        "cache-control": "private, max-age=86400",
        "x-content-type-options": "nosniff",
        "etag": f'"{found["sha256"]}-{size}{which}"',
    }
    if size == "original" and found["original_name"]:
        headers["content-disposition"] = "inline; filename*=UTF-8''" + quote(
            found["original_name"], safe=""
        )
    if request.headers.get("if-none-match") == headers["etag"]:
        return Response("", status=304, headers=headers)
    content_type = (found["mime"] if size in ("original", "playback") else None) or (
        mimetypes.guess_type(relpath)[0] or "application/octet-stream"
    )
    return MediaResponse(media, request, content_type, headers)
