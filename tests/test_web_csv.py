"""CSV downloads open in Excel as text, while JSON and pages keep the text as typed.

An archive of real JPEGs is ingested through the command line with captions
that a spreadsheet would run as formulas; every CSV Datasette serves of it, in
both modes of `archive serve`, is read back with the csv module cell by cell.
"""

from __future__ import annotations

import asyncio
import csv
import io
import sqlite3
from pathlib import Path

import httpx
import pytest
from markupsafe import escape

from archive.csv_safe import TRIGGERS, neutralise
from archive.web.csv_downloads import csv_wrapper
from tests.browser import ArchiveServer
from tests.conftest import Archive
from tests.images import make_jpeg
from tests.web_archive import ReviewArchive, datasette, get

FORMULAS = {
    "f1.jpg": '=HYPERLINK("http://x","y")',
    "f2.jpg": "+1+2",
    "f3.jpg": "-3",
    "f4.jpg": "@SUM(A1:A2)",
}
ORDINARY = 'Đảng ủy phường dự họp, "Khu phố 5" góp ý'
# Ingest trims captions and folds their white space, so these three reach the catalog only
# from another writer (a future editor, a repaired catalog); they are put in by SQL.
WRITTEN_ELSEWHERE = {
    "t1.jpg": "\tẩn sau dấu tab",
    "t2.jpg": "\r=1+1",
    "n1.jpg": 'Dòng một, có "ngoặc kép"\nDòng hai',
}
CAPTIONS = {**FORMULAS, "o1.jpg": ORDINARY, **WRITTEN_ELSEWHERE}
HOSTILE_TITLE = '=HYPERLINK("http://x","Hội thao")'
HOSTILE_FILE = "@danh-sach.jpg"  # a photo without caption, for anh_chua_co_chu_thich
DESCRIPTION = 'Tổ 5 họp, bàn "an ninh trật tự".\n\nPhần hai: góp ý của bà con.'


def _event(folder: Path, event_yml: str, photos: dict[str, str], gps: dict, seed: int) -> None:
    folder.mkdir(parents=True)
    (folder / "event.yml").write_text(event_yml, encoding="utf-8")
    lines = ["file,caption"]
    for n, (name, caption) in enumerate(photos.items()):
        make_jpeg(
            folder / name,
            size=(320, 240),
            color=(20 * n, 200 - 15 * n, seed),
            taken=f"2024:04:0{1 + n % 9} 08:00:00",
            gps=gps.get(name),
        )
        lines.append(f'{name},"{caption.replace(chr(34), chr(34) * 2)}"')
    (folder / "captions.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")


@pytest.fixture(scope="module")
def csv_archive(tmp_path_factory: pytest.TempPathFactory) -> ReviewArchive:
    work = tmp_path_factory.mktemp("csv")
    _event(
        work / "sources" / "hop-to-dan-pho",
        "title: Họp tổ dân phố 5\nslug: hop-to-dan-pho-5\ndate: 2024-04-01\n"
        "description: |-\n  " + DESCRIPTION.replace("\n\n", "\n\n  ") + "\n",
        {**FORMULAS, "o1.jpg": ORDINARY, **{name: "tạm" for name in WRITTEN_ELSEWHERE}},
        # Hà Nội (both positive) and Sydney (a negative latitude): see archive.csv_safe.
        {"o1.jpg": (21.0285, 105.8542, None), "f3.jpg": (-33.8568, 151.2153, None)},
        90,
    )
    _event(
        work / "sources" / "hoi-thao",
        f"title: '{HOSTILE_TITLE}'\nslug: hoi-thao-2024\ndate: 2024-04-20\n",
        {HOSTILE_FILE: ""},
        {},
        180,
    )
    archive = Archive(work / "archive")
    report = archive.ingest(str(work / "sources"))
    assert report["failed"] == 0, report["problems"]
    built = ReviewArchive(archive.root)
    with sqlite3.connect(built.catalog) as db:
        for name, caption in WRITTEN_ELSEWHERE.items():
            db.execute("UPDATE photos SET caption = ? WHERE original_name = ?", (caption, name))
    for row in archive.rows("SELECT id, original_name, caption FROM photos"):
        built.ids[row["original_name"]] = row["id"]
        built.captions[row["id"]] = row["caption"]
    assert {name: built.captions[built.id(name)] for name in CAPTIONS} == CAPTIONS
    return built


def cells(response: httpx.Response) -> list[list[str]]:
    """The CSV of a response, checked cell by cell (see read_csv)."""
    assert response.status_code == 200, response.text[:300]
    return read_csv(response.content, str(response.request.url))


def read_csv(body: bytes, where: str) -> list[list[str]]:
    """The CSV read as a spreadsheet would, after checking that no cell is a formula."""
    rows = list(csv.reader(io.StringIO(body.decode("utf-8"), newline="")))
    formulas = [cell for row in rows for cell in row if cell.startswith(TRIGGERS)]
    assert formulas == [], where
    return rows


def column(rows: list[list[str]], name: str) -> list[str]:
    index = rows[0].index(name)
    return [row[index] for row in rows[1:]]


SAFE = {neutralise(caption) for caption in CAPTIONS.values()}
PHOTO_TABLE_CSV = (
    "/catalog/photos.csv",
    "/catalog/photos.csv?_size=max&_labels=on",
    "/catalog/photos.csv?_size=max&_dl=1",
)


def test_the_photos_table_csv_is_safe_in_both_modes(csv_archive) -> None:
    default, reviewers = datasette(csv_archive), datasette(csv_archive, reviewers=True)
    for ds, paths in (
        (
            default,
            (
                *PHOTO_TABLE_CSV,
                "/catalog/photos.csv?_stream=on",
                "/catalog/photos.csv?_stream=on&_dl=1",
            ),
        ),
        (reviewers, PHOTO_TABLE_CSV),
    ):
        for path in paths:
            rows = cells(get(ds, path))
            assert set(column(rows, "caption")) == SAFE | {""}, path
    # Every trigger came through as text with its one apostrophe; the rest untouched.
    assert '\'=HYPERLINK("http://x","y")' in SAFE and "'+1+2" in SAFE and "'-3" in SAFE
    assert {"'@SUM(A1:A2)", "'\tẩn sau dấu tab", "'\r=1+1", ORDINARY} <= SAFE
    assert get(reviewers, "/catalog/photos.csv?_stream=on").status_code == 400  # still refused


def test_a_download_is_still_a_csv_attachment(csv_archive) -> None:
    response = get(datasette(csv_archive), "/catalog/photos.csv?_stream=on&_dl=1")
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.headers["content-disposition"] == 'attachment; filename="photos.csv"'
    assert "content-length" not in response.headers or int(
        response.headers["content-length"]
    ) == len(response.content)


def test_canned_queries_labels_and_sql_results_are_safe(csv_archive) -> None:
    default, reviewers = datasette(csv_archive), datasette(csv_archive, reviewers=True)
    for ds in (default, reviewers):
        unnamed = cells(get(ds, "/catalog/anh_chua_co_chu_thich.csv?_size=max"))
        assert column(unnamed, "Tên tệp gốc") == [neutralise(HOSTILE_FILE)]
        assert column(unnamed, "Sự kiện") == [neutralise(HOSTILE_TITLE)]
        no_units = cells(get(ds, "/catalog/anh_chua_co_don_vi.csv?_dl=1"))
        assert set(column(no_units, "Chú thích")) == SAFE | {""}
        labelled = cells(get(ds, "/catalog/photos.csv?_labels=on&event_id__gt=0&_size=max"))
        assert neutralise(HOSTILE_TITLE) in column(labelled, "event_id_label")
        photo = csv_archive.id("f1.jpg")
        assert column(cells(get(ds, f"/catalog/photos/{photo}.csv")), "caption") == [
            neutralise(FORMULAS["f1.jpg"])
        ]
    sql = "/catalog.csv?sql=select+caption+from+photos+where+caption+is+not+null"
    assert set(column(cells(get(default, sql + "&_stream=on")), "caption")) == SAFE


def test_ordinary_cells_come_out_as_typed(csv_archive) -> None:
    ds = datasette(csv_archive)
    rows = cells(get(ds, "/catalog/photos.csv?_stream=on"))
    by_name = {row[rows[0].index("original_name")]: row for row in rows[1:]}
    caption = rows[0].index("caption")
    assert by_name["o1.jpg"][caption] == ORDINARY
    assert by_name["n1.jpg"][caption] == WRITTEN_ELSEWHERE["n1.jpg"]  # comma, quotes, newline
    # A positive coordinate stays a number; a negative one is text, as OWASP asks (csv_safe).
    gps = rows[0].index("gps_lat"), rows[0].index("gps_lon")
    hanoi = [float(by_name["o1.jpg"][i]) for i in gps]
    assert hanoi == pytest.approx([21.0285, 105.8542], abs=1e-4)
    assert by_name["f3.jpg"][gps[0]].startswith("'-33.856")
    events = cells(get(ds, "/catalog/events.csv"))
    assert DESCRIPTION in column(events, "description")
    assert "Họp tổ dân phố 5" in column(events, "title")


def test_json_pages_and_the_photo_page_keep_the_text_as_typed(csv_archive) -> None:
    ds = datasette(csv_archive)
    table = get(ds, "/catalog/photos.json?_shape=array&_size=max").json()
    assert {row["original_name"]: row["caption"] for row in table} == {
        **CAPTIONS,
        HOSTILE_FILE: None,
    }
    query = get(ds, "/catalog/anh_chua_co_chu_thich.json?_shape=array").json()
    assert [row["Sự kiện"] for row in query] == [HOSTILE_TITLE]
    for name, caption in CAPTIONS.items():
        photo = csv_archive.id(name)
        assert get(ds, f"/-/photos/{photo}.json").json()["photo"]["caption"] == caption
        page = get(ds, f"/-/photos/{photo}").text
        assert str(escape(caption)) in page, name
        assert str(escape("'" + caption)) not in page, name
    assert str(escape(HOSTILE_TITLE)) in get(ds, "/-/events/hoi-thao-2024").text


def test_a_real_server_streams_the_safe_csv(csv_archive) -> None:
    """Through `archive serve` and its HTTP server: chunked, whole, and safe."""
    with ArchiveServer(csv_archive.root) as server:
        with httpx.stream("GET", server.url("/catalog/photos.csv?_stream=on&_dl=1")) as response:
            assert response.headers.get("transfer-encoding") == "chunked"
            body = b"".join(response.iter_raw())
            assert response.status_code == 200
        rows = read_csv(body, "a real server's stream")
        assert set(column(rows, "caption")) == SAFE | {""}
        assert len(rows) == 1 + len(CAPTIONS) + 1


def test_the_wrapper_passes_each_chunk_on_before_the_next_is_made() -> None:
    """A stream stays a stream: nothing waits for the end, and only CSV is touched."""
    events: list[str] = []

    def app_sending(content_type: bytes, chunks: list[bytes]):
        async def app(scope, receive, send) -> None:
            headers = [(b"content-type", content_type), (b"content-length", b"99")]
            await send({"type": "http.response.start", "status": 200, "headers": headers})
            for n, chunk in enumerate(chunks):
                events.append(f"made {n}")
                await send({"type": "http.response.body", "body": chunk, "more_body": True})
            await send({"type": "http.response.body", "body": b""})

        return app

    def run(app, path: str) -> tuple[dict, bytes]:
        sent: list[dict] = []

        async def send(message: dict) -> None:
            if message["type"] == "http.response.body" and message["body"]:
                events.append(f"sent {message['body']!r}")
            sent.append(message)

        scope = {"type": "http", "path": path, "query_string": b"", "headers": []}
        asyncio.run(csv_wrapper(app)(scope, None, send))
        return sent[0], b"".join(m.get("body", b"") for m in sent[1:])

    chunks = [b'id,caption\r\n1,"=1', b'+1"\r\n2,-', b"3\r\n"]
    start, body = run(app_sending(b"text/plain; charset=utf-8", chunks), "/catalog/photos.csv")
    assert body == b"id,caption\r\n1,\"'=1+1\"\r\n2,'-3\r\n"
    assert events == [
        "made 0", "sent b'id,caption\\r\\n1,\"\\'=1'",
        "made 1", "sent b'+1\"\\r\\n2,\\'-'",
        "made 2", "sent b'3\\r\\n'",
    ]  # fmt: skip
    assert b"content-length" not in dict(start["headers"])
    for content_type, path in (
        (b"application/json", "/catalog/photos.json"),
        (b"text/plain", "/x"),
    ):
        start, body = run(app_sending(content_type, chunks), path)
        assert body == b"".join(chunks), path
        assert dict(start["headers"])[b"content-length"] == b"99"
    start, body = run(app_sending(b"text/csv", chunks), "/-/export")
    assert body.count(b"'") == 2  # any text/csv, whatever its address
