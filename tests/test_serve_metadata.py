"""`archive serve --metadata FILE`: the operator's own metadata, and queries that write.

A canned query with ``write: true`` runs its SQL for anyone allowed to view it;
Datasette lets everyone view a query that has no ``allow`` block. These tests
run such a query through Datasette's own client on a real catalog: an anonymous
visitor is refused and changes nothing, a logged-in actor can run it (so the
refusal is the guard's doing, not a broken query), and ``--reviewers`` refuses
to start with one. Against the installed package: tests/test_installed.py.
"""

from __future__ import annotations

import asyncio
import re
import sqlite3
from pathlib import Path

import httpx
import pytest
import yaml

from archive.shipped import metadata_path
from archive.web.config import build_datasette, load_metadata
from tests.conftest import EXAMPLE_EVENT, Archive

DELETE = {"sql": "delete from photo_units", "write": True}


def with_query(query: dict, name: str = "xoa_don_vi") -> dict:
    """The shipped metadata plus one canned query of the catalog."""
    metadata = load_metadata(metadata_path())
    metadata["databases"]["catalog"]["queries"][name] = query
    return metadata


def write_yaml(path: Path, metadata: dict) -> Path:
    path.write_text(yaml.safe_dump(metadata, allow_unicode=True), encoding="utf-8")
    return path


@pytest.fixture
def example(archive: Archive) -> Archive:
    """Its own archive of the example: these tests delete rows."""
    report = archive.ingest(str(EXAMPLE_EVENT))
    assert report["added"] == 5
    return archive


def links(catalog: Path) -> int:
    with sqlite3.connect(catalog) as db:
        return db.execute("select count(*) from photo_units").fetchone()[0]


def run(coroutine):
    return asyncio.run(coroutine)


def test_a_writing_query_is_closed_to_anonymous_visitors(example: Archive) -> None:
    catalog = example.root / "catalog.db"
    before = links(catalog)
    assert before > 0
    ds = build_datasette(catalog, with_query(DELETE))

    async def anonymous() -> tuple[httpx.Response, httpx.Response, httpx.Response]:
        await ds.invoke_startup()
        page = await ds.client.get("/catalog/xoa_don_vi")
        # No cookies at all: the CSRF check lets such a POST through to the query.
        post = await ds.client.post("/catalog/xoa_don_vi", data={})
        listing = await ds.client.get("/catalog.json")
        return page, post, listing

    page, post, listing = run(anonymous())
    assert page.status_code == 403
    assert post.status_code == 403
    assert "xoa_don_vi" not in {query["name"] for query in listing.json()["queries"]}
    assert links(catalog) == before


def test_a_logged_in_actor_can_run_the_writing_query(example: Archive) -> None:
    """The positive control: the guarded query works, for someone who logged in."""
    catalog = example.root / "catalog.db"
    ds = build_datasette(catalog, with_query(DELETE))
    actor = {"ds_actor": ds.sign({"a": {"id": "canbo"}}, "actor")}

    async def logged_in() -> httpx.Response:
        await ds.invoke_startup()
        form = await ds.client.get("/catalog/xoa_don_vi", cookies=actor)
        assert form.status_code == 200, form.text
        token = re.search(r'name="csrftoken" value="([^"]+)"', form.text).group(1)
        cookies = {**actor, "ds_csrftoken": form.cookies["ds_csrftoken"]}
        return await ds.client.post(
            "/catalog/xoa_don_vi", data={"csrftoken": token}, cookies=cookies
        )

    response = run(logged_in())
    assert response.status_code == 302, response.text
    assert links(catalog) == 0


def test_an_allow_block_that_admits_anonymous_visitors_is_refused(
    example: Archive, tmp_path: Path
) -> None:
    for allow in (True, {"unauthenticated": True}, None):
        query = {**DELETE, "allow": allow}
        file = write_yaml(tmp_path / "ours.yml", with_query(query))
        result = example.run("serve", "--metadata", str(file), "--port", "1", expect=2)
        message = result.output.strip()
        assert message.count("\n") == 0, message
        assert str(file) in message and "xoa_don_vi" in message and "anonymous" in message


def test_reviewers_refuse_metadata_with_a_writing_query(example: Archive, tmp_path: Path) -> None:
    file = write_yaml(tmp_path / "ours.yml", with_query({**DELETE, "allow": {"id": "*"}}))
    result = example.run("serve", "--reviewers", "--metadata", str(file), "--port", "1", expect=2)
    message = result.output.strip()
    assert message == (
        f"Error: {file}: canned query 'xoa_don_vi' of 'catalog' writes (write: true);"
        " --reviewers serves no query that writes"
    )


def test_metadata_file_replaces_the_shipped_one(example: Archive, tmp_path: Path) -> None:
    metadata = load_metadata(write_yaml(tmp_path / "ours.yml", {"title": "Kho ảnh phường 7"}))
    ds = build_datasette(example.root / "catalog.db", metadata, reviewers=True)

    async def home() -> httpx.Response:
        await ds.invoke_startup()
        return await ds.client.get("/")

    page = run(home())
    assert "Kho ảnh phường 7" in page.text
    assert "Kho ảnh tư liệu phường" not in page.text


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("title: [unclosed\n", "not valid YAML at line 2"),
        ("- a list\n- not a mapping\n", "not Datasette metadata"),
        ("databases: [catalog]\n", "databases must be a mapping"),
    ],
)
def test_a_bad_metadata_file_is_one_line(
    example: Archive, tmp_path: Path, text: str, reason: str
) -> None:
    file = tmp_path / "ours.yml"
    file.write_text(text, encoding="utf-8")
    result = example.run("serve", "--metadata", str(file), "--port", "1", expect=2)
    message = result.output.strip()
    assert message.count("\n") == 0, message
    assert message.startswith(f"Error: {file}: ") and reason in message


def test_a_missing_metadata_file_is_a_usage_error(example: Archive, tmp_path: Path) -> None:
    result = example.run("serve", "--metadata", str(tmp_path / "none.yml"), expect=2)
    assert "none.yml" in result.output and "does not exist" in result.output


@pytest.mark.parametrize("where", ["top", "database"])
def test_reviewers_refuse_metadata_that_turns_sql_on(
    example: Archive, tmp_path: Path, where: str
) -> None:
    metadata = load_metadata(metadata_path())
    block = metadata if where == "top" else metadata["databases"]["catalog"]
    block["allow_sql"] = True
    file = write_yaml(tmp_path / "ours.yml", metadata)
    result = example.run("serve", "--reviewers", "--metadata", str(file), "--port", "1", expect=2)
    assert result.output.strip() == (
        f"Error: {file}: has an allow_sql block; --reviewers serves no SQL"
    )
