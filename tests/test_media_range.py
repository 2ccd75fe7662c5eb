"""The media route answers HTTP Range requests, through a real `archive serve` and httpx.

A player seeks by asking for bytes, so each answer is checked byte for byte
against the stored file: 206 with the span and its Content-Range, 416 with
``bytes */size`` past the end, the whole file (200) for what the route does
not honour, and the same permission check as without a range.
"""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from archive.web.byte_range import Span, Unsatisfiable, requested_span
from tests.browser import ArchiveServer
from tests.conftest import EXAMPLES, Archive

HASH_ENV = "ARCHIVE_TEST_PASSWORD_HASH"


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("range") / "archive"
    archive = Archive(root)
    archive.ingest(str(EXAMPLES))
    row = archive.rows("SELECT id, original_path FROM photos ORDER BY id LIMIT 1")[0]
    with ArchiveServer(root) as server, httpx.Client(base_url=server.url()) as client:
        yield client, row["id"], (root / row["original_path"]).read_bytes(), root


def test_a_range_is_answered_206_with_exactly_those_bytes(served) -> None:
    client, photo_id, data, _ = served
    size = len(data)
    for asked, start, end in (
        ("bytes=0-99", 0, 99),
        ("bytes=100-", 100, size - 1),
        ("bytes=-500", size - 500, size - 1),
        (f"bytes={size // 2}-{size + 10_000}", size // 2, size - 1),  # clipped to the end
        (f"bytes={size - 1}-{size - 1}", size - 1, size - 1),
    ):
        answer = client.get(f"/-/images/original/{photo_id}", headers={"Range": asked})
        assert answer.status_code == 206, asked
        assert answer.headers["content-range"] == f"bytes {start}-{end}/{size}", asked
        assert answer.headers["accept-ranges"] == "bytes"
        assert answer.headers["content-type"] == "image/jpeg"
        assert int(answer.headers["content-length"]) == end - start + 1
        assert answer.content == data[start : end + 1], asked


def test_no_range_sends_the_whole_file_and_says_ranges_are_accepted(served) -> None:
    client, photo_id, data, _ = served
    answer = client.get(f"/-/images/original/{photo_id}")
    assert answer.status_code == 200
    assert answer.headers["accept-ranges"] == "bytes"
    assert "content-range" not in answer.headers
    assert answer.content == data


def test_head_says_the_size_and_the_range_without_a_body(served) -> None:
    client, photo_id, data, _ = served
    whole = client.head(f"/-/images/original/{photo_id}")
    assert whole.status_code == 200 and whole.content == b""
    assert whole.headers["content-length"] == str(len(data))
    part = client.head(f"/-/images/original/{photo_id}", headers={"Range": "bytes=10-19"})
    assert part.status_code == 206 and part.content == b""
    assert part.headers["content-range"] == f"bytes 10-19/{len(data)}"


def test_a_range_past_the_end_is_416(served) -> None:
    client, photo_id, data, _ = served
    for asked in (f"bytes={len(data)}-", f"bytes={len(data) + 5}-{len(data) + 9}", "bytes=-0"):
        answer = client.get(f"/-/images/original/{photo_id}", headers={"Range": asked})
        assert answer.status_code == 416, asked
        assert answer.headers["content-range"] == f"bytes */{len(data)}"
        assert answer.content == b""


def test_ranges_the_route_does_not_honour_get_the_whole_file(served) -> None:
    client, photo_id, data, _ = served
    for asked in ("bytes=0-9,20-29", "items=0-9", "bytes=9-2", "bytes=x-"):
        answer = client.get(f"/-/images/original/{photo_id}", headers={"Range": asked})
        assert answer.status_code == 200, asked
        assert answer.content == data, asked


def test_if_range_with_another_etag_gets_the_whole_file(served) -> None:
    client, photo_id, data, _ = served
    etag = client.get(f"/-/images/original/{photo_id}").headers["etag"]
    same = client.get(
        f"/-/images/original/{photo_id}", headers={"Range": "bytes=0-9", "If-Range": etag}
    )
    assert same.status_code == 206 and same.content == data[:10]
    other = client.get(
        f"/-/images/original/{photo_id}", headers={"Range": "bytes=0-9", "If-Range": '"old"'}
    )
    assert other.status_code == 200 and other.content == data


def test_thumbnails_answer_ranges_too(served) -> None:
    client, photo_id, _, _ = served
    whole = client.get(f"/-/images/preview/{photo_id}").content
    part = client.get(f"/-/images/preview/{photo_id}", headers={"Range": "bytes=2-5"})
    assert part.status_code == 206 and part.content == whole[2:6]


def test_a_locked_server_refuses_a_range_as_it_refuses_the_file(served) -> None:
    from datasette_auth_passwords.utils import hash_password

    _, photo_id, _, root = served
    env = {HASH_ENV: hash_password("mật khẩu phường 6")}
    args = ("--reviewers", "--password-hash-env", HASH_ENV)
    with ArchiveServer(root, *args, env=env) as locked:
        answer = httpx.get(
            locked.url(f"/-/images/original/{photo_id}"), headers={"Range": "bytes=0-9"}
        )
    assert answer.status_code == 403
    assert answer.content.startswith(b"403")


def test_an_unknown_photo_is_404_with_or_without_a_range(served) -> None:
    client, _, _, _ = served
    for headers in ({}, {"Range": "bytes=0-9"}):
        assert client.get("/-/images/original/999999", headers=headers).status_code == 404


def test_a_range_parsed_alone() -> None:
    assert requested_span(None, 10) is None
    assert requested_span("bytes=2-4", 10) == Span(2, 3, 10)
    assert requested_span("BYTES = 2 - ", 10) == Span(2, 8, 10)
    assert requested_span("bytes=-20", 10) == Span(0, 10, 10)
    assert requested_span("bytes=-", 10) is None
    with pytest.raises(Unsatisfiable):
        requested_span("bytes=0-", 0)
    assert Span(2, 3, 10).content_range == "bytes 2-4/10"


def test_a_file_bigger_than_a_chunk_streams_whole(tmp_path: Path) -> None:
    """More than one read chunk, and a span that straddles chunk boundaries."""
    import asyncio

    from archive.web.media_file import CHUNK, open_media

    big = tmp_path / "big.bin"
    data = bytes(range(256)) * (3 * CHUNK // 256 + 7)
    big.write_bytes(data)
    media = open_media(tmp_path.resolve(), "big.bin")

    async def read(offset: int, length: int) -> bytes:
        return b"".join([chunk async for chunk in media.stream(offset, length)])

    assert asyncio.run(read(0, len(data))) == data
    assert asyncio.run(read(CHUNK - 3, CHUNK + 10)) == data[CHUNK - 3 : 2 * CHUNK + 7]
    assert open_media(tmp_path.resolve(), "../etc/passwd") is None


def _peak_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    raise AssertionError("no VmHWM")


def test_a_file_of_half_a_gigabyte_is_served_in_flat_memory(tmp_path: Path) -> None:
    """The server's peak memory grows by a fraction of the file it sends, whole or in part."""
    if not Path("/proc/self/status").exists():
        pytest.skip("reads the server's peak memory from /proc (Linux)")
    root = tmp_path / "archive"
    archive = Archive(root)
    archive.ingest(str(EXAMPLES))
    row = archive.rows("SELECT id, original_path FROM photos ORDER BY id LIMIT 1")[0]
    stored = root / row["original_path"]
    stored.chmod(0o644)
    size = 512 * 1024 * 1024
    with stored.open("r+b") as handle:  # a sparse file: on disk it costs nothing
        handle.truncate(size)
    with ArchiveServer(root) as server, httpx.Client(base_url=server.url()) as client:
        client.get(f"/-/images/original/{row['id']}", headers={"Range": "bytes=0-9"})
        before = _peak_kib(server.process.pid)
        for headers in ({}, {"Range": f"bytes={size // 2}-"}):
            received = 0
            with client.stream("GET", f"/-/images/original/{row['id']}", headers=headers) as r:
                for chunk in r.iter_bytes():
                    received += len(chunk)
            assert received == (size if not headers else size - size // 2)
        grown = _peak_kib(server.process.pid) - before
    assert grown < 64 * 1024, f"the server's peak memory grew by {grown} KiB"
