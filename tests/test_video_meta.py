"""Container tags of clips made into the catalog's facts (ingest.video_meta)."""

from __future__ import annotations

from datetime import datetime

import pytest

from ingest.video_meta import iso6709, moment, read_meta


def test_apple_keys_win_and_keep_their_zone() -> None:
    meta = read_meta(
        {
            "creation_time": "2024-09-05T01:30:00.000000Z",
            "com.apple.quicktime.creationdate": "2024-09-05T08:30:00+0700",
            "com.apple.quicktime.location.ISO6709": "+10.7812+106.6864+009.000/",
            "location": "+21.0285+105.8542/",
            "com.apple.quicktime.make": "Apple",
            "com.apple.quicktime.model": "iPhone  13",
        }
    )
    assert (meta.taken_at, meta.taken_at_source) == (
        "2024-09-05T08:30:00+07:00",
        "com.apple.quicktime.creationdate",
    )
    assert (meta.gps_lat, meta.gps_lon, meta.gps_alt) == (10.7812, 106.6864, 9.0)
    assert (meta.make, meta.model) == ("Apple", "iPhone 13")


def test_creation_time_is_the_same_instant_on_the_wards_clock() -> None:
    told = moment("2024-09-05T01:30:00.000000Z")
    assert told == "2024-09-05T08:30:00+07:00"  # whatever zone this computer is in
    assert datetime.fromisoformat(told) == datetime.fromisoformat("2024-09-05T01:30:00+00:00")


@pytest.mark.parametrize("raw", ["1904-01-01T00:00:00.000000Z", "1970-01-01 00:00:00", "soon", ""])
def test_unset_and_junk_dates_are_no_date(raw: str) -> None:
    assert moment(raw) is None


def test_a_junk_date_is_noted_and_the_next_key_used() -> None:
    meta = read_meta({"com.apple.quicktime.creationdate": "hôm qua", "creation_time": "2024-09-05"})
    assert meta.taken_at == "2024-09-05T00:00:00" and meta.taken_at_source == "creation_time"
    assert meta.notes and "hôm qua" in meta.notes[0]


@pytest.mark.parametrize(
    ("raw", "want"),
    [
        ("+21.0285+105.8542/", (21.0285, 105.8542, None)),
        ("-33.8688+151.2093+058.2/", (-33.8688, 151.2093, 58.2)),
        ("+91.0000+105.0000/", None),
        ("+00.0000+000.0000/", None),  # a phone without a fix writes zeros
        ("Hà Nội", None),
    ],
)
def test_iso6709(raw: str, want: tuple | None) -> None:
    assert iso6709(raw) == want
