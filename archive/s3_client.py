"""The S3 client of a bucket archive: one per process and server, and its failures in words.

Kept apart from :mod:`archive.store_s3` (what the archive does with a bucket) because
it is how any S3 call is made and reported, whoever makes it: boto3's standard retry
mode with backoff, path-style addressing (Ceph, MinIO), and botocore's exceptions
turned into :class:`archive.store.StoreError` naming the object and the reason.
"""

from __future__ import annotations

import base64
import hashlib
import os
import threading
from collections.abc import Callable
from typing import Any, TypeVar

from archive.i18n import _
from archive.store import NotStored, StoreError

T = TypeVar("T")

_clients: dict[tuple[int, str | None], Any] = {}
_clients_lock = threading.Lock()


def _client(endpoint: str | None) -> Any:
    """One boto3 client per process and endpoint (clients are thread-safe, sessions not)."""
    key = (os.getpid(), endpoint)
    with _clients_lock:
        if key not in _clients:
            try:
                import boto3
                from botocore.config import Config
            except ImportError as error:
                raise StoreError(
                    _("an archive on a bucket needs boto3: pip install 'ward-photo-archive[s3]'")
                ) from error
            attempts = int(os.environ.get("AWS_MAX_ATTEMPTS") or 4)
            config = Config(
                retries={"mode": "standard", "max_attempts": attempts},
                connect_timeout=5,
                read_timeout=60,
                s3={"addressing_style": "path"},
            )
            session = boto3.session.Session()
            region = session.region_name or "us-east-1"
            _clients[key] = session.client(
                "s3", endpoint_url=endpoint, config=config, region_name=region
            )
        return _clients[key]


def _md5(data: bytes) -> tuple[str, bytes]:
    digest = hashlib.md5(data).digest()
    return base64.b64encode(digest).decode(), digest


def _mime(relpath: str) -> str:
    if relpath.startswith("thumbs/"):
        return "image/jpeg"
    import mimetypes

    return mimetypes.guess_type(relpath)[0] or "application/octet-stream"


def guarded(call: Callable[[], T], location: str) -> T:
    """botocore's failures as a StoreError: the bucket, the object and the reason."""
    from botocore.exceptions import BotoCoreError, ClientError
    from urllib3.exceptions import HTTPError

    try:
        return call()
    except ClientError as error:
        info = error.response.get("Error", {})
        reason = info.get("Message") or info.get("Code") or str(error)
        if info.get("Code") in ("404", "NoSuchKey", "NotFound"):
            raise NotStored(_("{location}: no such object").format(location=location)) from error
        raise StoreError(
            _("{location}: the bucket refused: {reason}").format(
                location=location, reason=f"{info.get('Code')}: {reason}"
            )
        ) from error
    except (BotoCoreError, HTTPError) as error:
        raise StoreError(
            _("{location}: the object store did not answer: {reason}").format(
                location=location, reason=error
            )
        ) from error
