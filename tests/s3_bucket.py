"""The real bucket the object-store tests put archives in (scripts/ceph-dev's radosgw).

Each archive gets a prefix of its own in the server's bucket, removed at the end of the
module. The keys go to os.environ, where boto3 (in the tests and in `archive serve`
subprocesses) finds them as it would a clerk's: the archive never stores them.
Where no server runs, the tests skip with the reason (and fail under CI=true).
"""

from __future__ import annotations

import os
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import import_or_missing, missing_tool
from tests.images import make_jpeg
from tests.test_s3_server import server_settings

PROJECT = Path(__file__).resolve().parents[1]


@dataclass
class Bucket:
    endpoint: str
    name: str
    client: Any
    prefixes: list[str] = field(default_factory=list)

    def new_prefix(self, label: str = "archive") -> str:
        prefix = f"test-{label}-{uuid.uuid4().hex[:12]}"
        self.prefixes.append(prefix)
        return prefix

    def url(self, prefix: str) -> str:
        return f"s3://{self.name}/{prefix}"

    def keys(self, prefix: str) -> dict[str, dict]:
        """Every object under prefix: relative key -> its listing entry."""
        found: dict[str, dict] = {}
        for page in self.client.get_paginator("list_objects_v2").paginate(
            Bucket=self.name, Prefix=prefix + "/"
        ):
            for item in page.get("Contents", []):
                found[item["Key"][len(prefix) + 1 :]] = item
        return found

    def get(self, prefix: str, relpath: str) -> bytes:
        return self.client.get_object(Bucket=self.name, Key=f"{prefix}/{relpath}")["Body"].read()

    def head(self, prefix: str, relpath: str) -> dict:
        return self.client.head_object(Bucket=self.name, Key=f"{prefix}/{relpath}")

    def clean(self) -> None:
        for prefix in self.prefixes:
            listed = list(self.keys(prefix))
            for start in range(0, len(listed), 1000):
                self.client.delete_objects(
                    Bucket=self.name,
                    Delete={"Objects": [{"Key": f"{prefix}/{k}"} for k in listed[start:][:1000]]},
                )


def ceph_dev(*args: str) -> None:
    """scripts/ceph-dev with the tests' data folder (stop-rgw, start-rgw)."""
    import subprocess

    done = subprocess.run(
        [str(PROJECT / "scripts" / "ceph-dev"), *args], capture_output=True, text=True
    )
    assert done.returncode == 0, f"ceph-dev {' '.join(args)}: {done.stdout}{done.stderr}"


@pytest.fixture(scope="module", name="bucket")
def bucket_fixture() -> Iterator[Bucket]:
    """The server's bucket (import bucket_fixture into a test module to use it as bucket)."""
    boto3 = import_or_missing("boto3")
    settings = server_settings()
    endpoint = settings["ARCHIVE_TEST_S3_ENDPOINT"]
    try:
        urllib.request.urlopen(endpoint, timeout=5).close()
    except (urllib.error.URLError, OSError) as error:
        missing_tool(f"the S3 test server at {endpoint} does not answer ({error})")
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        os.environ[name] = settings[name]
    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    client = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1")
    found = Bucket(endpoint, settings["ARCHIVE_TEST_S3_BUCKET"], client)
    yield found
    found.clean()


CAPTIONS = (
    "Đảng ủy phường họp chi bộ khu phố {n}",
    "Đoàn thanh niên ra quân dọn vệ sinh đường số {n}",
    "Hội Liên hiệp Phụ nữ thăm hộ nghèo tổ {n}",
    "Trường THCS Nguyễn Gia Thiều khai giảng lớp {n}",
)


def make_photos(folder: Path, count: int, start: int = 0) -> list[Path]:
    """count real JPEGs, each of its own colour and so of its own SHA-256, and a caption
    (EXIF ImageDescription) that search finds."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for n in range(start, start + count):
        path = folder / f"anh-{n:04d}.jpg"
        colour = (n * 37 % 256, n * 91 % 256, (n * 13 + 60) % 256)
        caption = CAPTIONS[n % len(CAPTIONS)].format(n=n % 7 + 1)
        taken = f"2024:05:{n % 28 + 1:02d} 08:{n % 60:02d}:00"
        make_jpeg(path, (96, 64), color=colour, taken=taken, description=caption)
        paths.append(path)
    return paths


def make_big_photos(folder: Path, count: int, size: tuple[int, int] = (1600, 1200)) -> list[Path]:
    """count camera-sized JPEGs of noise (each its own): thumbnailing them takes real work,
    so an ingest of them lasts long enough to be interrupted half-way."""
    from PIL import Image

    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for n in range(count):
        path = folder / f"lon-{n:04d}.jpg"
        noise = Image.effect_noise(size, 40 + n % 50).convert("RGB")
        tint = Image.new("RGB", size, (n * 37 % 256, n * 91 % 256, (n * 13 + 60) % 256))
        Image.blend(noise, tint, 0.5).save(path, "JPEG", quality=85)
        paths.append(path)
    return paths
