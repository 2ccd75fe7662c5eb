"""Which store an archive uses: its local folder (the default) or a bucket.

The choice is kept in the catalog's settings table (``store``: ``s3://BUCKET/PREFIX``,
``store_endpoint``: the server's URL for a non-AWS one), so every command and
``archive serve`` find the files where ingest put them. Credentials are never there:
boto3 reads them from the AWS_* variables, ~/.aws or a profile.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from archive.errors import ArchiveError
from archive.i18n import _
from archive.store import CATALOG_NAME, Store
from archive.store_s3 import S3Store

STORE_KEY = "store"
ENDPOINT_KEY = "store_endpoint"
AnyStore = Store | S3Store


def parse_store_url(root: Path, url: str, endpoint: str | None) -> AnyStore:
    """``local`` or ``s3://BUCKET[/PREFIX]`` as a store of the archive at root."""
    url = url.strip()
    if url in ("", "local"):
        return Store(root)
    if not url.startswith("s3://"):
        raise ArchiveError(_("{url}: a store is local or s3://BUCKET/PREFIX").format(url=url))
    bucket, _slash, prefix = url[len("s3://") :].partition("/")
    if not bucket:
        raise ArchiveError(_("{url}: the bucket's name is missing").format(url=url))
    if endpoint is not None and not endpoint.startswith(("http://", "https://")):
        raise ArchiveError(
            _("{endpoint}: the endpoint is a web address (https://…)").format(endpoint=endpoint),
        )
    return S3Store(root, bucket, prefix.strip("/"), endpoint or None)


def store_setting(url: str | None) -> str | None:
    """What the settings table keeps for a store: nothing for the local folder."""
    return None if url in (None, "", "local") else url


def stored_store(root: Path) -> tuple[str | None, str | None]:
    """The store and endpoint settings of the archive at root, read only (never created)."""
    path = root / CATALOG_NAME
    if not path.is_file():
        return None, None
    with sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True) as db:
        try:
            rows = dict(
                db.execute(
                    "SELECT key, value FROM settings WHERE key IN (?, ?)", (STORE_KEY, ENDPOINT_KEY)
                ).fetchall()
            )
        except sqlite3.OperationalError:  # a catalog made before settings existed
            return None, None
    return rows.get(STORE_KEY), rows.get(ENDPOINT_KEY)


def open_store(root: Path) -> AnyStore:
    """The store of the archive at root, as its settings say."""
    url, endpoint = stored_store(root)
    return parse_store_url(root, url or "local", endpoint)
