"""The S3 calls the archive's object store will make, against a real radosgw.

The server is the single-node Ceph of `scripts/ceph-dev start`; these tests find it through
the ARCHIVE_TEST_S3_* variables or the env file that script writes. They prove the server
does what the store will rely on: integrity checked on upload, ranged reads, multipart.

Debian 12's radosgw (Ceph 16) ignores the flexible checksums (x-amz-checksum-sha256: it
accepts a wrong one), so uploads carry Content-MD5, which it does verify.
"""

from __future__ import annotations

import base64
import hashlib
import io
import os
import shlex
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import pytest
from PIL import Image

from tests.conftest import import_or_missing, missing_tool

MiB = 1024 * 1024
KEYS = ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "ARCHIVE_TEST_S3_ENDPOINT")


def _env_file() -> Path:
    """Where `scripts/ceph-dev` writes its export lines (same default as the script)."""
    folder = os.environ.get("CEPH_DEV_DIR") or os.path.join(
        os.environ.get("TMPDIR") or "/tmp", f"ceph-dev-{os.getuid()}"
    )
    return Path(folder) / "env"


def server_settings() -> dict[str, str]:
    """The endpoint, bucket and keys: from the environment, else from the script's env file."""
    if all(os.environ.get(k) for k in KEYS):
        found = {k: os.environ[k] for k in KEYS}
        found["ARCHIVE_TEST_S3_BUCKET"] = os.environ.get("ARCHIVE_TEST_S3_BUCKET", "archive-test")
        return found
    path = _env_file()
    if not path.is_file():
        missing_tool(f"no S3 test server (run scripts/ceph-dev start; {path} is absent)")
    found = {}
    for line in path.read_text().splitlines():
        words = shlex.split(line)
        if len(words) == 2 and words[0] == "export" and "=" in words[1]:
            name, value = words[1].split("=", 1)
            found[name] = value
    if not all(found.get(k) for k in (*KEYS, "ARCHIVE_TEST_S3_BUCKET")):
        missing_tool(f"{path} lacks the S3 settings; run scripts/ceph-dev start again")
    return found


@pytest.fixture(scope="module")
def s3():
    """A boto3 client on the running server, its bucket, and a key prefix of this run."""
    boto3 = import_or_missing("boto3")
    settings = server_settings()
    endpoint = settings["ARCHIVE_TEST_S3_ENDPOINT"]
    assert endpoint.startswith(("http://127.0.0.1:", "http://localhost:")), endpoint
    try:
        urllib.request.urlopen(endpoint, timeout=5).close()
    except (urllib.error.URLError, OSError) as error:
        missing_tool(f"the S3 test server at {endpoint} does not answer ({error})")
    client = boto3.client(
        "s3",
        endpoint_url=endpoint,
        aws_access_key_id=settings["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=settings["AWS_SECRET_ACCESS_KEY"],
        region_name="us-east-1",
    )
    bucket = settings["ARCHIVE_TEST_S3_BUCKET"]
    prefix = f"test-{uuid.uuid4().hex}/"
    yield client, bucket, prefix
    listed = client.list_objects_v2(Bucket=bucket, Prefix=prefix).get("Contents", [])
    if listed:
        client.delete_objects(
            Bucket=bucket, Delete={"Objects": [{"Key": item["Key"]} for item in listed]}
        )


def md5_b64(data: bytes) -> str:
    return base64.b64encode(hashlib.md5(data).digest()).decode()


def jpeg_bytes(size: tuple[int, int] = (640, 480)) -> bytes:
    """A real JPEG, as the archive stores originals."""
    image = Image.effect_noise(size, 60).convert("RGB")
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90)
    return out.getvalue()


def error_code(error: Exception) -> str:
    return error.response["Error"]["Code"]  # type: ignore[attr-defined]


def test_put_with_content_md5_is_verified_by_the_server(s3) -> None:
    client, bucket, prefix = s3
    from botocore.exceptions import ClientError

    data = jpeg_bytes()
    key = prefix + "original.jpg"
    put = client.put_object(
        Bucket=bucket, Key=key, Body=data, ContentMD5=md5_b64(data), ContentType="image/jpeg"
    )
    assert put["ETag"].strip('"') == hashlib.md5(data).hexdigest()
    assert client.get_object(Bucket=bucket, Key=key)["Body"].read() == data

    # A body damaged on the way: the server refuses it and stores nothing.
    bad_key = prefix + "damaged.jpg"
    with pytest.raises(ClientError) as refused:
        client.put_object(
            Bucket=bucket, Key=bad_key, Body=data[:-1] + b"\0", ContentMD5=md5_b64(data)
        )
    assert error_code(refused.value) == "BadDigest"
    with pytest.raises(ClientError) as absent:
        client.head_object(Bucket=bucket, Key=bad_key)
    assert absent.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404


def test_get_with_range_returns_the_partial_body(s3) -> None:
    client, bucket, prefix = s3
    data = os.urandom(10_000)
    key = prefix + "ranged.bin"
    client.put_object(Bucket=bucket, Key=key, Body=data, ContentMD5=md5_b64(data))

    part = client.get_object(Bucket=bucket, Key=key, Range="bytes=1000-1999")
    assert part["ResponseMetadata"]["HTTPStatusCode"] == 206
    assert part["ContentRange"] == "bytes 1000-1999/10000"
    assert part["ContentLength"] == 1000
    assert part["Body"].read() == data[1000:2000]

    tail = client.get_object(Bucket=bucket, Key=key, Range="bytes=-16")
    assert tail["Body"].read() == data[-16:]


def test_head_reports_size_type_and_metadata(s3) -> None:
    client, bucket, prefix = s3
    data = jpeg_bytes((320, 240))
    key = prefix + "thumb.jpg"
    client.put_object(
        Bucket=bucket,
        Key=key,
        Body=data,
        ContentMD5=md5_b64(data),
        ContentType="image/jpeg",
        Metadata={"sha256": hashlib.sha256(data).hexdigest()},
    )
    head = client.head_object(Bucket=bucket, Key=key)
    assert head["ContentLength"] == len(data)
    assert head["ContentType"] == "image/jpeg"
    assert head["Metadata"] == {"sha256": hashlib.sha256(data).hexdigest()}
    assert head["ETag"].strip('"') == hashlib.md5(data).hexdigest()


def test_multipart_upload_of_20_mb(s3) -> None:
    client, bucket, prefix = s3
    data = os.urandom(20 * MiB + 12345)
    key = prefix + "video.mp4"
    part_size = 5 * MiB  # the S3 minimum for every part but the last
    upload = client.create_multipart_upload(Bucket=bucket, Key=key, ContentType="video/mp4")
    parts = []
    for number, start in enumerate(range(0, len(data), part_size), start=1):
        chunk = data[start : start + part_size]
        done = client.upload_part(
            Bucket=bucket,
            Key=key,
            UploadId=upload["UploadId"],
            PartNumber=number,
            Body=chunk,
            ContentMD5=md5_b64(chunk),
        )
        parts.append({"PartNumber": number, "ETag": done["ETag"]})
    client.complete_multipart_upload(
        Bucket=bucket, Key=key, UploadId=upload["UploadId"], MultipartUpload={"Parts": parts}
    )

    head = client.head_object(Bucket=bucket, Key=key)
    assert head["ContentLength"] == len(data)
    assert head["ETag"].strip('"').endswith(f"-{len(parts)}")
    body = client.get_object(Bucket=bucket, Key=key)["Body"].read()
    assert hashlib.sha256(body).hexdigest() == hashlib.sha256(data).hexdigest()
    # A range across the boundary of parts 1 and 2.
    across = client.get_object(
        Bucket=bucket, Key=key, Range=f"bytes={part_size - 10}-{part_size + 9}"
    )
    assert across["Body"].read() == data[part_size - 10 : part_size + 10]


def test_list_and_delete(s3) -> None:
    client, bucket, prefix = s3
    from botocore.exceptions import ClientError

    folder = prefix + "listing/"
    names = [f"{folder}{n}.jpg" for n in ("a", "b", "c")]
    for name in names:
        client.put_object(
            Bucket=bucket, Key=name, Body=name.encode(), ContentMD5=md5_b64(name.encode())
        )

    listed = client.list_objects_v2(Bucket=bucket, Prefix=folder)
    assert [item["Key"] for item in listed["Contents"]] == names
    assert [item["Size"] for item in listed["Contents"]] == [len(n.encode()) for n in names]

    client.delete_object(Bucket=bucket, Key=names[0])
    with pytest.raises(ClientError) as gone:
        client.get_object(Bucket=bucket, Key=names[0])
    assert error_code(gone.value) == "NoSuchKey"
    deleted = client.delete_objects(
        Bucket=bucket, Delete={"Objects": [{"Key": name} for name in names[1:]]}
    )
    assert sorted(item["Key"] for item in deleted["Deleted"]) == names[1:]
    assert "Contents" not in client.list_objects_v2(Bucket=bucket, Prefix=folder)
