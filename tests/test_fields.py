"""archive.fields: the one declaration of a photo's fields, and what must agree with it."""

from __future__ import annotations

import dataclasses
import json
import re
import sqlite3

import pytest

from archive import fields
from archive.db import missing_photo_columns, open_catalog
from archive.export import schema
from archive.records import PhotoFacts
from ingest.exif import ExifRecord
from tests.conftest import EXAMPLES, PROJECT
from tests.test_galleries import EVENT

GOLDEN = PROJECT / "tests" / "data"


def test_photo_facts_are_the_declared_facts() -> None:
    declared = {f.name: f.python_type for f in fields.FIELDS if f.facts}
    got = {f.name: f.type for f in dataclasses.fields(PhotoFacts)}
    assert set(got) == set(declared)
    for name, kind in declared.items():
        assert got[name] == kind, name


def test_exif_record_holds_every_field_read_from_metadata() -> None:
    names = [f.name for f in dataclasses.fields(ExifRecord)]
    assert names == [*fields.FROM_METADATA, "tags", "warnings"]


def test_a_new_catalog_has_every_declared_column(tmp_path) -> None:
    db = open_catalog(tmp_path / "catalog.db")
    assert missing_photo_columns(db) == []
    table = {row[1]: row[2] for row in db.execute("PRAGMA table_info(photos)").fetchall()}
    assert set(table) == set(fields.names()), "a column of photos is not declared"


def test_a_catalog_without_a_declared_column_names_it(tmp_path) -> None:
    path = tmp_path / "catalog.db"
    open_catalog(path).conn.close()
    conn = sqlite3.connect(path)
    conn.execute("ALTER TABLE photos DROP COLUMN lens")
    conn.commit()
    conn.close()
    db = open_catalog(path)  # the migrations have all run: nothing adds it back
    assert missing_photo_columns(db) == ["lens"]


def test_shipped_schema_is_complete_for_the_declaration() -> None:
    assert fields.complete_schema(schema()) == schema()


def test_shipped_schema_has_every_exported_key_and_only_those() -> None:
    defs = schema()["$defs"]
    properties = defs["photo"]["properties"]
    full = {f.export.split(".")[0] for f in fields.exported(public=False)}
    assert list(properties) == list(
        dict.fromkeys(f.export.split(".")[0] for f in fields.exported(public=False))
    )
    assert set(properties) == full
    public = {f.export.split(".")[0] for f in fields.exported(public=True)}
    forbidden = {alt["required"][0] for alt in defs["public_photo"]["not"]["anyOf"]}
    assert forbidden == full - public
    for key, value in fields.schema_properties().items():
        assert properties[key] == value, key
    nested = {
        f.export.split(".")[1] for f in fields.exported(False) if f.export.startswith("original.")
    }
    assert set(properties["original"]["properties"]) == nested


def _normalised(raw: bytes) -> bytes:
    raw = re.sub(rb'"generated_at": "[^"]+"', b'"generated_at": "GENERATED_AT"', raw)
    return raw.replace(json.dumps(str(EXAMPLES))[1:-1].encode(), b"EXAMPLES")


@pytest.mark.parametrize(
    ("golden", "args"),
    [("example-export.json", ()), ("example-export-public.json", ("--public",))],
)
def test_the_example_exports_byte_for_byte_as_pinned(archive, golden, args) -> None:
    """The example's export is the pinned one: any change to its bytes is deliberate."""
    archive.ingest(str(EXAMPLES))
    raw = archive.run("export", "--event", EVENT, *args).stdout_bytes
    assert _normalised(raw) == (GOLDEN / golden).read_bytes()
