"""The whole photos table's event facet read off the events' kept counts.

Unfiltered, Datasette's column facet on ``event_id`` counts every photo
(``group by event_id`` over the table: a scan of its index, 5 ms at 100,000
photos and ten times that at a million) on every load of the reviewers' main
screen. The catalog already keeps each event's photo count
(``events.photo_count``, written by triggers in the statement that changes a
photo: archive/kept_counts.py), which is that count exactly. So that one
statement, Datasette's facet over the table with no condition at all, is
answered from ``events``: the same values and counts, in the same order
(count descending, then the event's id), and Datasette labels them as before.
Any condition (a search, a filter, a chosen facet value) keeps Datasette's
own count; tests/test_table_facets.py holds the two equal.
"""

from __future__ import annotations

import re

# Datasette 0.65's column facet over the table's query when that has no WHERE.
WHOLE_TABLE_EVENTS = re.compile(
    r"\s*select \[?event_id\]? as value, count\(\*\) as count from \(\s*"
    r"select (?:(?!\b(?:where|limit)\b).)+? from \[?photos\]?\s*"
    r"\)\s*where \[?event_id\]? is not null\s*"
    r"group by \[?event_id\]? order by count desc, value limit (?P<limit>\d+)\s*",
    re.IGNORECASE | re.DOTALL,
)
KEPT_EVENTS = (
    "select id as value, photo_count as count from events where photo_count > 0"
    " order by count desc, value limit {limit}"
)


def read_kept(sql: str) -> str:
    """The kept counts' statement for the whole table's event facet; else ``sql`` itself."""
    found = WHOLE_TABLE_EVENTS.fullmatch(sql)
    return KEPT_EVENTS.format(limit=int(found["limit"])) if found else sql
