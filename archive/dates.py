"""The one reader of dates typed by staff, and the one way the archive shows them back.

Vietnamese write the day first: 22/12/2017, 2/9/2024, 22-12-2017 or 22.12.2017, optionally
followed by a time (08:30, 08:30:15, 8h30). ISO 2017-12-22 (and EXIF's 2017:12:22) is read
year first. Every place that takes a date (caption sheets, event.yml, ``--date``, ``--from``,
``--to``) goes through here, so they agree on what a date is and on why one is refused: a
day that does not exist (31/02/2024), a month past 12 (2024/13/45), a two-digit year
(13/13/13, whose century and order are a guess). Dates are stored ISO and shown dd/mm/yyyy.
"""

from __future__ import annotations

import math
import re
from datetime import date, datetime, time, timedelta, timezone
from typing import Any

from archive.i18n import N_, _
from archive.text import nfc

# Vietnam keeps one zone all year (UTC+7, no summer time): the clock a ward's cameras
# show, so an instant given in UTC (a clip's creation_time) is told on it.
WARD_ZONE = timezone(timedelta(hours=7))

__all__ = [
    "CAMERA_SOURCES",
    "WARD_ZONE",
    "NOT_A_DATE_OR_TIME",
    "DateError",
    "duration_text",
    "parse_day",
    "parse_when",
    "show_day",
    "show_moment",
    "why_not",
]

# The ``taken_at_source`` of a date the camera wrote (the EXIF tag it came from): a moment
# with its time of day, which a caption sheet's date alone only confirms when it names the
# same day.
CAMERA_SOURCES = frozenset({"DateTimeOriginal", "DateTimeDigitized", "DateTime"})


class DateError(ValueError):
    """A value that is not a date; str() says why, in words staff can act on."""


_YMD = re.compile(r"(?P<y>\d{4})[-/.:](?P<m>\d{1,2})[-/.:](?P<d>\d{1,2})")
_DMY = re.compile(r"(?P<d>\d{1,2})[-/.](?P<m>\d{1,2})[-/.](?P<y>\d{4})")
_SHORT_YEAR = re.compile(r"\d{1,2}[-/.]\d{1,2}[-/.]\d{2}(?!\d)")
_TIME = re.compile(r"(?:[ T]+|\s*,\s*)(?P<H>\d{1,2})[:hH](?P<M>\d{2})?(?::(?P<S>\d{2})(?:\.\d+)?)?")
_EXAMPLE = N_("write 22/12/2017 or 2017-12-22")
# The refusal that says nothing more than "not a date": callers word their own instead.
NOT_A_DATE_OR_TIME = N_("{value} is not a date or time")


def parse_when(value: Any) -> str | None:
    """ISO "YYYY-MM-DD" or "YYYY-MM-DDTHH:MM:SS", or None when value is not a date.

    Accepts date/datetime objects (YAML, Excel cells) and the text forms staff type (see the
    module). A datetime at exactly midnight is a date: that is how Excel hands back a cell
    formatted as a date.
    """
    try:
        return _parse(value)
    except DateError:
        return None


def why_not(value: Any) -> str:
    """Why value is not a date (for a warning); '' when it is one."""
    try:
        _parse(value)
    except DateError as error:
        return str(error)
    return ""


def parse_day(value: str) -> date:
    """A typed day (a time after it is refused: a day was asked for); DateError says why."""
    when = _parse(value)
    if len(when) != 10:
        raise DateError(
            _("{value} is not a date: give the day alone ({example})").format(
                value=repr(value), example=_(_EXAMPLE)
            )
        )
    return date.fromisoformat(when)


def _parse(value: Any) -> str:
    if isinstance(value, datetime):
        if value.time() == time(0):
            return value.date().isoformat()
        return value.replace(microsecond=0, tzinfo=None).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if not isinstance(value, str):
        raise DateError(_(NOT_A_DATE_OR_TIME).format(value=repr(value)))
    text = nfc(value).strip()
    match = _YMD.match(text) or _DMY.match(text)
    if match is None:
        if _SHORT_YEAR.match(text):
            raise DateError(
                _("{value} is not a date: a two-digit year is a guess ({example})").format(
                    value=repr(text), example=_(_EXAMPLE)
                )
            )
        raise DateError(_(NOT_A_DATE_OR_TIME).format(value=repr(text)))
    rest = text[match.end() :]
    clock = _TIME.fullmatch(rest) if rest else None
    if rest and clock is None:
        raise DateError(_(NOT_A_DATE_OR_TIME).format(value=repr(text)))
    day_first = match.re is _DMY
    day = _day(text, int(match["y"]), int(match["m"]), int(match["d"]), day_first)
    if clock is None:
        return day.isoformat()
    try:
        moment = time(int(clock["H"]), int(clock["M"] or 0), int(clock["S"] or 0))
    except ValueError:
        raise DateError(_("{value}: no such time of day").format(value=repr(text))) from None
    return datetime.combine(day, moment).isoformat()


def _day(text: str, year: int, month: int, day: int, day_first: bool) -> date:
    if not 1 <= month <= 12:
        order = _("day first, dd/mm/yyyy") if day_first else _("year first, yyyy-mm-dd")
        raise DateError(
            _("{value} is not a date: there is no month {month} (read {order})").format(
                value=repr(text), month=month, order=order
            )
        )
    try:
        return date(year, month, day)
    except ValueError:
        raise DateError(
            _("{value} is not a date: month {month} has no day {day}").format(
                value=repr(text), month=month, day=day
            )
        ) from None


def show_day(iso: str) -> str:
    """2017-12-22 as staff write it: 22/12/2017."""
    return date.fromisoformat(iso[:10]).strftime("%d/%m/%Y")


def show_moment(iso: str) -> str:
    """2024-03-08T09:03:41 as 08/03/2024 09:03 (a date alone stays a date)."""
    if len(iso) <= 10:
        return show_day(iso)
    return datetime.fromisoformat(iso).strftime("%d/%m/%Y %H:%M")


def duration_text(seconds: Any) -> str:
    """A clip's length as a player shows it: ``0:07``, ``12:30``, ``1:02:03``; '' for none.

    Rounded to the nearest second, so a clip of 6.97 s reads 0:07 like its player.
    """
    if not isinstance(seconds, int | float) or isinstance(seconds, bool):
        return ""
    if not math.isfinite(seconds) or seconds < 0:
        return ""
    total = int(seconds + 0.5)
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"
