"""archive.csv_safe: the one-cell rule, and the streaming parser cut at every byte.

The reference is Python's own csv module: the stream's output, read back by
``csv.reader``, must be exactly the input's cells with :func:`neutralise`
applied, whatever the chunks; and, for CSV that ``csv.writer`` wrote (as
Datasette does), byte for byte what ``csv.writer`` writes of the neutralised
cells.
"""

from __future__ import annotations

import csv
import io
import random

import pytest

from archive.csv_safe import TRIGGERS, CsvNeutraliser, neutralise

BOM = "\ufeff".encode()

ROWS: list[list[object]] = [
    ["id", "caption", "gps_lon", "note"],
    [1, '=HYPERLINK("http://x","y")', 105.85, ""],
    [2, "+1+2", -3, "@SUM(A1:A2)"],
    [3, "-3", "\tẩn sau dấu tab", "\r=1+1"],
    [4, 'Đảng ủy phường, "Khu phố 3"\r\nvà dòng hai\nvà ba', "😀=1", '"=2"'],
    [5, "=", "", "a=b,c+d"],
    [6, "Chú thích thường", "'=đã có nháy", " =1 với dấu cách"],
]


def written(rows: list[list[object]]) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode("utf-8")


def read(data: bytes) -> list[list[str]]:
    text = data.decode("utf-8").removeprefix("\ufeff")
    return list(csv.reader(io.StringIO(text, newline="")))


def run(chunks: list[bytes]) -> bytes:
    neutraliser = CsvNeutraliser()
    out = b"".join(neutraliser.feed(chunk) for chunk in chunks)
    return out + neutraliser.close()


def cuts(data: bytes, positions: list[int]) -> list[bytes]:
    bounds = [0, *sorted(positions), len(data)]
    return [data[a:b] for a, b in zip(bounds, bounds[1:], strict=False)]


def expected(data: bytes) -> list[list[str]]:
    return [[neutralise(cell) for cell in row] for row in read(data)]


def test_the_rule_for_one_cell() -> None:
    for trigger in TRIGGERS:
        assert neutralise(trigger + "x") == "'" + trigger + "x"
    assert neutralise('=HYPERLINK("http://x","y")') == '\'=HYPERLINK("http://x","y")'
    for kept in ("Đảng ủy", "", " =1", "'=1", "a=b", "3", "105.85"):
        assert neutralise(kept) == kept
    assert neutralise(-3) == -3 and neutralise(None) is None  # not text: left to the writer


@pytest.mark.parametrize("bom", [b"", BOM], ids=["plain", "bom"])
def test_every_single_cut_gives_what_csv_writer_writes_of_the_safe_cells(bom: bytes) -> None:
    data = bom + written(ROWS)
    safe = bom + written([[neutralise(str(cell)) for cell in row] for row in ROWS])
    assert run([data]) == safe
    assert read(safe)[2] == ["2", "'+1+2", "'-3", "'@SUM(A1:A2)"]
    for cut in range(len(data) + 1):  # inside every character, quote pair and line end
        assert run(cuts(data, [cut])) == safe, cut


def test_every_double_cut_and_byte_by_byte() -> None:
    data = BOM + written(ROWS[:4])
    safe = run([data])
    assert run([data[i : i + 1] for i in range(len(data))]) == safe
    for first in range(len(data) + 1):
        for second in range(first, len(data) + 1):
            assert run(cuts(data, [first, second])) == safe, (first, second)


@pytest.mark.parametrize(
    "text",
    [
        '""=x,y\r\n',  # an empty quoted start, then text the csv module reads as "=x"
        '"ab"=c,d\r\n',  # text after a closing quote is not where the field begins
        'a"=b,"c""=d"\r\n',  # a quote inside an unquoted field is text
        '"""=x""",-1\n+2\r@3',  # an escaped quote first; bare \n and \r line ends
        ",,=a,\r\n\r\n-b",  # empty fields and an empty line
        '"\r=1","\t2"\n',
        "=",
        "",
    ],
)
def test_loose_csv_is_read_as_the_csv_module_reads_it(text: str) -> None:
    data = text.encode("utf-8")
    for cut in range(len(data) + 1):
        assert read(run(cuts(data, [cut]))) == expected(data), (text, cut)


def test_a_byte_order_mark_is_kept_and_the_cell_after_it_is_made_safe() -> None:
    data = BOM + b"=1,2\r\n"
    assert run([data]) == BOM + b"'=1,2\r\n"
    assert run([data[:1], data[1:2], data[2:]]) == BOM + b"'=1,2\r\n"
    # A start that only looks like a byte order mark is text; a short stream is flushed.
    assert run([b"\xef\xbb", b"x=1"]) == b"\xef\xbbx=1"
    assert run([b"\xef"]) == b"\xef"
    assert run([BOM]) == BOM
    assert run([BOM[:2], b"", BOM[2:], b"-5"]) == BOM + b"'-5"


def test_bytes_that_are_not_utf8_pass_through() -> None:
    data = b"\xff=\xfe,=\xc3\r\n"
    assert run([data]) == b"\xff=\xfe,'=\xc3\r\n"


def test_random_tables_cut_at_random() -> None:
    """Many tables from an alphabet of everything that matters, each cut in random places."""
    alphabet = ["=", "+", "-", "@", "\t", "\r", "\n", ",", '"', "'", " ", "a", "ư", "Đ", "😀"]
    rng = random.Random(20240308)
    for _ in range(300):
        rows = [
            ["".join(rng.choices(alphabet, k=rng.randint(0, 6))) for _ in range(rng.randint(1, 4))]
            for _ in range(rng.randint(1, 5))
        ]
        data = rng.choice([b"", BOM]) + written(rows)
        safe = run([data])
        assert read(safe) == [[neutralise(cell) for cell in row] for row in rows]
        positions = [rng.randint(0, len(data)) for _ in range(rng.randint(1, 6))]
        assert run(cuts(data, positions)) == safe, (rows, positions)
