"""Faults against the real server: radosgw stopped mid-ingest, objects damaged behind the
archive's back. What must hold: failed files are named with the reason and the run exits 1,
no row ever names an object that is not there, a re-run ends where an uninterrupted run
does, and verify finds exactly what was done to the bucket.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

from tests.s3_bucket import (  # noqa: F401 (a fixture)
    PROJECT,
    Bucket,
    bucket_fixture,
    ceph_dev,
    make_big_photos,
    make_photos,
)
from tests.test_store_s3 import bucket_archive, named_keys

COLUMNS = "sha256, original_path, thumb_path, preview_path, source_path, bytes, taken_at"


def state(archive, bucket: Bucket, prefix: str) -> tuple[list, dict]:
    """The rows that matter and the objects (size, SHA-256 metadata) of a bucket archive."""
    rows = [tuple(r.values()) for r in archive.rows(f"SELECT {COLUMNS} FROM photos ORDER BY 1")]
    objects = {
        key: (item["Size"], bucket.head(prefix, key)["Metadata"].get("sha256"))
        for key, item in bucket.keys(prefix).items()
    }
    return rows, objects


def test_radosgw_stopped_mid_ingest_then_a_rerun_completes(tmp_path: Path, bucket) -> None:
    sources = tmp_path / "anh"
    make_big_photos(sources, 100)

    reference, ref_prefix = bucket_archive(tmp_path / "ref", bucket, "ref")
    report = reference.ingest(str(sources))
    assert (report["added"], report["failed"]) == (100, 0), report["problems"]

    archive, prefix = bucket_archive(tmp_path / "cut", bucket, "cut")
    command = [sys.executable, "-c", "from archive.cli import main; main()"]
    command += ["--root", str(archive.root), "ingest", "--json", "--jobs", "1", str(sources)]
    # Two attempts per request: the retries with backoff are exercised, the test stays short.
    env = {**os.environ, "AWS_MAX_ATTEMPTS": "2"}
    run = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, cwd=PROJECT
    )
    try:
        while run.poll() is None:
            if sum(k.startswith("originals/") for k in bucket.keys(prefix)) >= 10:
                break
            time.sleep(0.05)
        ceph_dev("stop-rgw")
        out, err = run.communicate(timeout=900)
    finally:
        if run.poll() is None:
            run.kill()
        ceph_dev("start-rgw")
    assert run.returncode == 1, err.decode()
    cut = json.loads(out)
    assert cut["failed"] >= 10 and cut["added"] + cut["failed"] == 100, cut
    errors = [p for p in cut["problems"] if p["level"] == "error"]
    assert len(errors) == cut["failed"]
    for problem in errors:
        assert problem["path"].startswith(str(sources)), problem
        assert problem["reason"].startswith("cannot store the file: s3://"), problem
        assert "did not answer" in problem["reason"], problem

    # No row names an object that is not there.
    assert named_keys(archive) <= set(bucket.keys(prefix))
    assert len(archive.rows("SELECT id FROM photos")) == cut["added"]

    again = archive.ingest(str(sources))
    assert (again["added"], again["failed"]) == (cut["failed"], 0), again["problems"]
    assert state(archive, bucket, prefix) == state(reference, bucket, ref_prefix)
    result = json.loads(archive.run("verify", "--json").stdout)
    assert (result["ok"], result["failed"], result["orphans"]) == (100, 0, 0), result


def test_verify_finds_a_deleted_and_a_flipped_object_and_nothing_else(
    tmp_path: Path, bucket
) -> None:
    archive, prefix = bucket_archive(tmp_path / "archive", bucket, "damage")
    make_photos(tmp_path / "anh", 8)
    assert archive.ingest(str(tmp_path / "anh"))["added"] == 8
    gone, flipped = archive.rows("SELECT id, original_path FROM photos ORDER BY id LIMIT 2")
    bucket.client.delete_object(Bucket=bucket.name, Key=f"{prefix}/{gone['original_path']}")
    data = bytearray(bucket.get(prefix, flipped["original_path"]))
    data[len(data) // 2] ^= 0xFF
    head = bucket.head(prefix, flipped["original_path"])
    bucket.client.put_object(  # as a failing disk would: same size, same metadata
        Bucket=bucket.name,
        Key=f"{prefix}/{flipped['original_path']}",
        Body=bytes(data),
        Metadata=head["Metadata"],
    )

    result = archive.run("verify", "--json", expect=1)
    found = json.loads(result.stdout)["findings"]
    assert sorted((f["kind"], f["photo_id"], f["path"]) for f in found) == [
        ("hash", flipped["id"], flipped["original_path"]),
        ("missing", gone["id"], gone["original_path"]),
    ]
    text = archive.run("verify", expect=1).stdout
    assert f"s3://{bucket.name}/{prefix}/{gone['original_path']}" in text


def test_an_unreferenced_object_is_an_orphan_a_rerun_adopts(tmp_path: Path, bucket) -> None:
    """What a crash between upload and commit leaves: found by verify, adopted by ingest."""
    import hashlib

    from archive.storage import open_store

    archive, prefix = bucket_archive(tmp_path / "archive", bucket, "orphan")
    [first, second] = make_photos(tmp_path / "anh", 2)
    second.rename(tmp_path / second.name)
    assert archive.ingest(str(tmp_path / "anh"))["added"] == 1
    data = (tmp_path / second.name).read_bytes()
    sha = hashlib.sha256(data).hexdigest()
    relpath = f"originals/{sha[:2]}/{sha}.jpg"
    assert open_store(archive.root).put(relpath, data) is True  # uploaded, never committed
    result = json.loads(archive.run("verify", "--json", expect=1).stdout)
    assert [(f["kind"], f["path"]) for f in result["findings"]] == [("orphan", relpath)]

    sent = bucket.head(prefix, relpath)["LastModified"]
    report = archive.ingest(str(tmp_path / second.name))
    assert report["added"] == 1
    assert bucket.head(prefix, relpath)["LastModified"] == sent  # adopted, not sent again
    result = json.loads(archive.run("verify", "--json").stdout)
    assert (result["ok"], result["orphans"]) == (2, 0), result
