"""Event folders from a Windows share: backslash paths, any case, NFC or NFD, Explorer's junk."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import openpyxl

from tests.conftest import Archive
from tests.images import make_jpeg


def photo(folder: Path, name: str, shade: int) -> Path:
    """A real JPEG, each one different so none is a duplicate of another."""
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    make_jpeg(path, color=(shade, 90, 160))
    return path


def captions(archive: Archive) -> dict[str, str | None]:
    """Caption by the file name the catalog keeps for each source, as on disk."""
    rows = archive.rows(
        "SELECT s.path, p.caption FROM photo_sources s JOIN photos p ON p.id = s.photo_id"
    )
    return {
        Path(r["path"]).relative_to(archive.root.parent / "su-kien").as_posix(): r["caption"]
        for r in rows
    }


def sheet_warnings(report: dict) -> list[str]:
    return [p["reason"] for p in report["problems"] if Path(p["path"]).stem == "captions"]


def xlsx(path: Path, rows: list[tuple[str, str]]) -> None:
    book = openpyxl.Workbook()
    book.active.append(("Tên tệp", "Chú thích"))
    for row in rows:
        book.active.append(row)
    book.save(path)


def test_backslash_paths_and_paths_pasted_from_explorer(archive: Archive) -> None:
    folder = archive.root.parent / "su-kien"
    photo(folder, "anh/IMG_0001.JPG", 10)
    photo(folder, "anh/IMG_0002.JPG", 20)
    photo(folder, "IMG_0003.JPG", 30)
    photo(folder, "Hội trường/IMG_0004.JPG", 40)
    xlsx(
        folder / "captions.xlsx",
        [
            ("anh\\IMG_0001.JPG", "Đại biểu dự hội nghị"),
            ("D:\\Ảnh\\su-kien\\anh\\IMG_0002.JPG", "Chủ tọa phát biểu"),
            (".\\IMG_0003", "Toàn cảnh hội trường"),
            ("hội trường\\img_0004.jpg", "Trao giấy khen"),
        ],
    )
    report = archive.ingest(str(folder))
    assert sheet_warnings(report) == []
    assert captions(archive) == {
        "anh/IMG_0001.JPG": "Đại biểu dự hội nghị",
        "anh/IMG_0002.JPG": "Chủ tọa phát biểu",
        "IMG_0003.JPG": "Toàn cảnh hội trường",
        "Hội trường/IMG_0004.JPG": "Trao giấy khen",
    }


def test_a_name_in_another_case_matches_its_one_photo(archive: Archive) -> None:
    folder = archive.root.parent / "su-kien"
    photo(folder, "IMG_0001.JPG", 10)
    photo(folder, "DSC_0002.jpg", 20)
    (folder / "captions.csv").write_text(
        "file,caption\nimg_0001.jpg,Lễ chào cờ\nDsc_0002,Dâng hoa\n", "utf-8"
    )
    report = archive.ingest(str(folder))
    assert sheet_warnings(report) == []
    # The catalog keeps each name as the disk has it, not as the sheet typed it.
    assert captions(archive) == {"IMG_0001.JPG": "Lễ chào cờ", "DSC_0002.jpg": "Dâng hoa"}


def test_names_that_differ_only_in_case_are_never_guessed(archive: Archive) -> None:
    """Copied onto Linux, a folder may hold both; only the exact name decides between them."""
    guessing, exact = (
        archive.root.parent / "su-kien" / "doan",
        archive.root.parent / "su-kien" / "dung",
    )
    for folder, row in ((guessing, "Img_0001.JPG"), (exact, "img_0001.jpg")):
        photo(folder, "IMG_0001.JPG", 10 if folder == guessing else 30)
        photo(folder, "img_0001.jpg", 20 if folder == guessing else 40)
        (folder / "captions.csv").write_text(f"file,caption\n{row},Ảnh {folder.name}\n", "utf-8")
    photo(guessing, "sang/IMG_0005.JPG", 50)
    photo(guessing, "chieu/IMG_0005.JPG", 60)
    photo(guessing, "chieu/IMG_0006.JPG", 70)
    with (guessing / "captions.csv").open("a", encoding="utf-8") as sheet:
        sheet.write("IMG_0005.JPG,Không biết ảnh nào\nchieu\\IMG_0006.JPG,Buổi chiều\n")
    report = archive.ingest(str(guessing.parent))
    assert report["failed"] == 0 and report["added"] == 7
    assert sheet_warnings(report) == [
        "row 2: 'Img_0001.JPG' could be any of 2 photos (IMG_0001.JPG, img_0001.jpg);"
        " not applied: write the name as it is on disk",
        "row 3: 'IMG_0005.JPG' could be any of 2 photos (chieu/IMG_0005.JPG, sang/IMG_0005.JPG);"
        " not applied: write the name as it is on disk",
    ]
    assert captions(archive) == {
        "doan/IMG_0001.JPG": None,
        "doan/img_0001.jpg": None,
        "doan/sang/IMG_0005.JPG": None,
        "doan/chieu/IMG_0005.JPG": None,
        "doan/chieu/IMG_0006.JPG": "Buổi chiều",
        "dung/IMG_0001.JPG": None,
        "dung/img_0001.jpg": "Ảnh dung",
    }


def test_two_rows_for_one_photo_the_exact_name_wins(archive: Archive) -> None:
    folder = archive.root.parent / "su-kien"
    photo(folder, "IMG_0001.JPG", 10)
    (folder / "captions.csv").write_text(
        "file,caption\nIMG_0001.JPG,Tên đầy đủ\nimg_0001,Tên rút gọn\n", "utf-8"
    )
    report = archive.ingest(str(folder))
    assert sheet_warnings(report) == [
        "row 3: 'img_0001' and row 2: 'IMG_0001.JPG' both name IMG_0001.JPG; row 2 is used"
    ]
    assert captions(archive) == {"IMG_0001.JPG": "Tên đầy đủ"}


def test_nfc_and_nfd_names_match_either_way(archive: Archive) -> None:
    folder = archive.root.parent / "su-kien"
    mac = unicodedata.normalize("NFD", "Chào cờ.jpg")  # as a Mac writes it
    photo(folder, mac, 10)
    photo(folder, "Dâng hoa.jpg", 20)  # as Windows writes it
    (folder / "captions.csv").write_text(
        "file,caption\n"
        f"Chào cờ.jpg,Lễ chào cờ\n"
        f"{unicodedata.normalize('NFD', 'Dâng hoa')},Dâng hoa tượng đài\n",
        "utf-8",
    )
    report = archive.ingest(str(folder))
    assert sheet_warnings(report) == []
    assert captions(archive) == {"Chào cờ.jpg": "Lễ chào cờ", "Dâng hoa.jpg": "Dâng hoa tượng đài"}


def test_explorer_and_excel_leave_nothing_to_report(archive: Archive) -> None:
    folder = archive.root.parent / "su-kien"
    photo(folder, "IMG_0001.JPG", 10)
    (folder / "captions.csv").write_text("file,caption\nIMG_0001.JPG,Ảnh\n", "utf-8")
    (folder / "Thumbs.db").write_bytes(b"\xd0\xcf\x11\xe0" + bytes(60))
    (folder / "desktop.ini").write_text("[.ShellClassInfo]\r\nIconResource=x\r\n", "utf-16")
    (folder / "~$captions.xlsx").write_bytes(b"\x04Lan " + bytes(40))  # Excel's lock file
    (folder / "IMG_0001.JPG:Zone.Identifier").write_text("[ZoneTransfer]\r\nZoneId=3\r\n")
    (folder / "anh").mkdir()
    (folder / "anh" / "THUMBS.DB").write_bytes(bytes(64))
    report = archive.ingest(str(folder))
    assert (report["added"], report["skipped"], report["skipped_files"]) == (1, 0, [])
    assert report["problems"] == []


def test_a_windows_path_given_here_is_one_clear_line(archive: Archive) -> None:
    folder = archive.root.parent / "su-kien"
    photo(folder, "IMG_0001.JPG", 10)
    given = "C:\\Users\\Lan\\Documents\\captions.csv"
    result = archive.run("ingest", "--manifest", given, str(folder), expect=2)
    [line] = [line for line in result.output.splitlines() if line.startswith("Error")]
    assert given in line and "a Windows path (drive C:)" in line
    result = archive.run("ingest", "D:\\Anh\\Hoi nghi", expect=2)
    assert result.output.strip() == (
        "Error: D:\\Anh\\Hoi nghi: a Windows path (drive D:), which this computer cannot open;"
        " give the file's path on this computer"
    )
    result = archive.run("ingest", "--manifest", "su-kien\\captions.csv", str(folder), expect=2)
    assert "here folders are separated by /, as in su-kien/captions.csv" in result.output
    assert not archive.root.exists()
