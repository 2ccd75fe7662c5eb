"""The archive's files in an S3-compatible bucket (Ceph radosgw, MinIO, a provider's S3).

Same keys as the local folder (``originals/ab/<sha256>.<ext>``, ``thumbs/<size>/ab/…``)
under a prefix, same methods as :class:`archive.store.Store`. The catalog, the writer
lock and everything else that is not a photo's file stay in the local archive folder.

Why each upload is done the way it is:

- HEAD first: an object already there with the same SHA-256 (object metadata) is not
  sent again, so a re-run after a lost connection only sends what is missing.
- ``Content-MD5`` on every request that carries bytes (each part of a multipart upload
  too): the server refuses a body damaged on the way. Radosgw ignores the newer
  ``x-amz-checksum-sha256`` header, MD5 is what every S3 server checks.
- The SHA-256 is computed from the very bytes sent and kept as ``x-amz-meta-sha256``,
  so ``verify`` and a re-run compare against it without reading the object.
- Standard retry mode: 5xx answers and connection errors are retried with backoff;
  what still fails becomes a :class:`StoreError` naming the bucket and the reason.

Credentials come only from boto3's usual places (AWS_* variables, ~/.aws, a profile),
never from the catalog.
"""

from __future__ import annotations

import hashlib
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, TypeVar

from archive import writer_lock
from archive.i18n import _
from archive.s3_client import _client, _md5, _mime, guarded
from archive.store import CATALOG_NAME, CHUNK, NotStored, Store, StoreError, file_chunks, sha256_of
from archive.writer_lock import LockWait

MULTIPART_AT = 16 * 1024 * 1024  # files above this go in parts (a clip, a big TIFF)
PART_SIZE = 8 * 1024 * 1024  # each part; S3 wants at least 5 MiB for all but the last
SHA_KEY = "sha256"
T = TypeVar("T")


@dataclass(frozen=True)
class S3Store:
    """An archive whose files are in bucket under prefix; root is the local folder of the
    catalog. Picklable (ingest workers get it): the client is made in each process."""

    root: Path
    bucket: str
    prefix: str = ""
    endpoint: str | None = None

    remote = True

    @property
    def catalog_path(self) -> Path:
        return self.root / CATALOG_NAME

    @property
    def url(self) -> str:
        return f"s3://{self.bucket}/{self.prefix}".rstrip("/")

    def describe(self) -> str:
        return self.url + (f" ({self.endpoint})" if self.endpoint else "")

    def location(self, relpath: str) -> str:
        return f"s3://{self.bucket}/{self.key(relpath)}"

    def key(self, relpath: str) -> str:
        if relpath.startswith("/") or ".." in relpath.split("/"):
            raise ValueError(f"path outside the archive: {relpath}")
        return self.prefix.rstrip("/") + "/" + relpath if self.prefix else relpath

    # ---- what the local store does with folders --------------------------------------

    def create(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)

    # The same keys as the folder: one layout, declared in archive.store.
    original_relpath = staticmethod(Store.original_relpath)
    thumb_relpath = staticmethod(Store.thumb_relpath)
    playback_relpath = staticmethod(Store.playback_relpath)

    @contextmanager
    def local_copy(self, relpath: str) -> Iterator[Path]:
        """The object as a temporary local file, for readers that need a path (PyAV)."""
        with tempfile.TemporaryDirectory(prefix="archive-object-") as folder:
            copy = Path(folder) / Path(relpath).name
            with copy.open("wb") as handle:
                for chunk in self.stream(relpath):
                    handle.write(chunk)
            yield copy

    def path(self, relpath: str) -> Path:
        raise StoreError(
            _("{location} is in a bucket, not a local file").format(location=self.location(relpath))
        )

    @contextmanager
    def lock(
        self, *, shared: bool = False, wait: LockWait | None = None, purpose: str = "ingest"
    ) -> Iterator[None]:
        """The writer lock of the local catalog folder: one writer of the bucket per archive."""
        with writer_lock.hold(self.root, purpose=purpose, wait=wait, required=not shared):
            yield

    def leftovers(self) -> list[Path]:
        return []  # an upload is atomic: the object is whole or absent

    def remove_leftovers(self) -> int:
        """Abort multipart uploads a crash left open (under the writer lock: none is ours)."""
        try:
            found = self._call(
                lambda c: c.list_multipart_uploads(Bucket=self.bucket, Prefix=self.key("")),
                "",
            )
        except StoreError:
            return 0  # an unreachable bucket is said per file by the ingest itself
        uploads = found.get("Uploads", [])
        for upload in uploads:
            self._call(
                lambda c, u=upload: c.abort_multipart_upload(
                    Bucket=self.bucket, Key=u["Key"], UploadId=u["UploadId"]
                ),
                "",
            )
        return len(uploads)

    # ---- reading -----------------------------------------------------------------------

    def head(self, relpath: str) -> dict | None:
        """The object's HEAD answer, or None when there is no such object."""
        try:
            return self._call(
                lambda c: c.head_object(Bucket=self.bucket, Key=self.key(relpath)), relpath
            )
        except NotStored:
            return None

    def has(self, relpath: str) -> bool:
        return self.head(relpath) is not None

    def size(self, relpath: str) -> int | None:
        found = self.head(relpath)
        return None if found is None else int(found["ContentLength"])

    def stored_sha256(self, relpath: str) -> str | None:
        """The SHA-256 kept with the object at upload (not a re-hash of its bytes)."""
        found = self.head(relpath)
        return None if found is None else found.get("Metadata", {}).get(SHA_KEY)

    def open(self, relpath: str) -> BinaryIO:
        answer = self._call(
            lambda c: c.get_object(Bucket=self.bucket, Key=self.key(relpath)), relpath
        )
        return answer["Body"]

    def read(self, relpath: str) -> bytes:
        with self.open(relpath) as body:
            return self._guard(body.read, relpath)

    def stream(self, relpath: str, offset: int = 0, length: int | None = None) -> Iterator[bytes]:
        """A ranged GET when a part is asked for; the body read in chunks."""
        if length == 0:
            return
        args: dict[str, Any] = {"Bucket": self.bucket, "Key": self.key(relpath)}
        if offset or length is not None:
            end = "" if length is None else str(offset + length - 1)
            args["Range"] = f"bytes={offset}-{end}"
        body = self._call(lambda c: c.get_object(**args), relpath)["Body"]
        try:
            while True:
                chunk = self._guard(lambda: body.read(CHUNK), relpath)
                if not chunk:
                    return
                yield chunk
        finally:
            body.close()

    def sha256(self, relpath: str) -> str:
        return sha256_of(self.stream(relpath))

    def keys(self, prefix: str) -> Iterator[tuple[str, int]]:
        """(relpath, size) of every object under prefix, listed page by page."""
        start = self.key(prefix)
        cut = len(self.key(""))
        token: str | None = None
        while True:
            args: dict[str, Any] = {"Bucket": self.bucket, "Prefix": start}
            if token:
                args["ContinuationToken"] = token
            page = self._call(lambda c, a=args: c.list_objects_v2(**a), prefix)
            for item in page.get("Contents", []):
                yield item["Key"][cut:], int(item["Size"])
            token = page.get("NextContinuationToken")
            if not page.get("IsTruncated") or not token:
                return

    # ---- writing -----------------------------------------------------------------------

    def put(self, relpath: str, data: bytes) -> bool:
        """Upload data at relpath unless the same bytes are there; True if sent."""
        sha = hashlib.sha256(data).hexdigest()
        self._check_content(relpath, sha)
        if self._same_there(relpath, sha):
            return False
        self._upload(relpath, data, sha)
        return True

    def put_file(self, relpath: str, source: Path) -> bool:
        """As put, from a file: hashed and sent in parts, never read whole into memory."""
        size = source.stat().st_size
        if size <= MULTIPART_AT:
            return self.put(relpath, source.read_bytes())
        sha = sha256_of(file_chunks(source))
        self._check_content(relpath, sha)
        if self._same_there(relpath, sha):
            return False
        self._multipart(relpath, source, sha)
        return True

    def replace_derivative(self, relpath: str, data: bytes) -> None:
        """Rewrite a thumbnail: derivatives are rebuilt, originals never are."""
        if not relpath.startswith("thumbs/"):
            raise ValueError(f"only thumbnails may be rewritten, not {relpath}")
        self._upload(relpath, data, hashlib.sha256(data).hexdigest())

    # Staged writes (archive.store.Store.stage): a bucket has no temporary names nor
    # fsync, so staging is the checked upload itself and there is nothing left to sync;
    # the object exists before the row naming it is committed, as the contract asks.

    def stage(self, relpath: str, data: bytes) -> None:
        self.put(relpath, data)

    def stage_file(self, relpath: str, source: Path) -> None:
        self.put_file(relpath, source)

    def sync_staged(self, staged: Any) -> None:
        """Nothing to do: every staged object was uploaded and checked already."""

    def replace_derivative_file(self, relpath: str, source: Path) -> None:
        """:meth:`replace_derivative` from a file, sent in parts: a clip's remade preview."""
        if not relpath.startswith(("thumbs/", "playback/")):
            raise ValueError(f"only derivatives may be rewritten, not {relpath}")
        self._multipart(relpath, source, sha256_of(file_chunks(source)))

    def replace_object(self, relpath: str, data: bytes, sha: str) -> None:
        """Upload data at relpath whatever is there (a backup's catalog snapshot), checked."""
        self._check_content(relpath, sha)
        self._upload(relpath, data, sha)

    def replace_object_file(self, relpath: str, source: Path, sha: str) -> None:
        """:meth:`replace_object` from a file whose SHA-256 the caller computed as it wrote it."""
        self._check_content(relpath, sha)
        if source.stat().st_size <= MULTIPART_AT:
            self._upload(relpath, source.read_bytes(), sha)
        else:
            self._multipart(relpath, source, sha)

    def delete(self, relpath: str) -> None:
        """Remove one object (only migrate's clean-up of a bucket it copied back calls this)."""
        self._call(lambda c: c.delete_object(Bucket=self.bucket, Key=self.key(relpath)), relpath)

    def _check_content(self, relpath: str, sha: str) -> None:
        """An original's key names its SHA-256: bytes that hash otherwise are never stored."""
        if relpath.startswith("originals/") and sha not in relpath:
            raise StoreError(
                _("{location}: the bytes to send do not have the SHA-256 the key names").format(
                    location=self.location(relpath)
                )
            )

    def _same_there(self, relpath: str, sha: str) -> bool:
        found = self.head(relpath)
        if found is None:
            return False
        if relpath.startswith("thumbs/"):
            return True  # as on disk: a thumbnail there is kept; `thumbs` rebuilds on demand
        return found.get("Metadata", {}).get(SHA_KEY) == sha

    def _upload(self, relpath: str, data: bytes, sha: str) -> None:
        if len(data) > MULTIPART_AT:
            self._multipart_bytes(relpath, data, sha)
            return
        md5_b64, md5 = _md5(data)
        answer = self._call(
            lambda c: c.put_object(
                Bucket=self.bucket,
                Key=self.key(relpath),
                Body=data,
                ContentMD5=md5_b64,
                ContentType=_mime(relpath),
                Metadata={SHA_KEY: sha},
            ),
            relpath,
        )
        if answer.get("ETag", "").strip('"') != md5.hex():
            raise StoreError(
                _("{location}: the server stored other bytes than were sent").format(
                    location=self.location(relpath)
                )
            )

    def _multipart(self, relpath: str, source: Path, sha: str) -> None:
        with source.open("rb") as handle:
            self._parts(relpath, iter(lambda: handle.read(PART_SIZE), b""), sha)

    def _multipart_bytes(self, relpath: str, data: bytes, sha: str) -> None:
        chunks = (data[i : i + PART_SIZE] for i in range(0, len(data), PART_SIZE))
        self._parts(relpath, chunks, sha)

    def _parts(self, relpath: str, chunks: Iterator[bytes], sha: str) -> None:
        """A multipart upload, each part with its Content-MD5; aborted if anything fails."""
        key = self.key(relpath)
        started = self._call(
            lambda c: c.create_multipart_upload(
                Bucket=self.bucket, Key=key, ContentType=_mime(relpath), Metadata={SHA_KEY: sha}
            ),
            relpath,
        )
        upload_id = started["UploadId"]
        parts = []
        try:
            for number, chunk in enumerate(chunks, start=1):
                md5_b64, _digest = _md5(chunk)
                done = self._call(
                    lambda c, n=number, b=chunk, m=md5_b64: c.upload_part(
                        Bucket=self.bucket,
                        Key=key,
                        UploadId=upload_id,
                        PartNumber=n,
                        Body=b,
                        ContentMD5=m,
                    ),
                    relpath,
                )
                parts.append({"PartNumber": number, "ETag": done["ETag"]})
            self._call(
                lambda c: c.complete_multipart_upload(
                    Bucket=self.bucket,
                    Key=key,
                    UploadId=upload_id,
                    MultipartUpload={"Parts": parts},
                ),
                relpath,
            )
        except BaseException:
            with suppress(StoreError):  # if not now, the next ingest's remove_leftovers
                self._call(
                    lambda c: c.abort_multipart_upload(
                        Bucket=self.bucket, Key=key, UploadId=upload_id
                    ),
                    relpath,
                )
            raise

    # ---- errors ------------------------------------------------------------------------

    def _call(self, call: Callable[[Any], T], relpath: str) -> T:
        return self._guard(lambda: call(_client(self.endpoint)), relpath)

    def _guard(self, call: Callable[[], T], relpath: str) -> T:
        return guarded(call, self.location(relpath))
