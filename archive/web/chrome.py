"""Vietnamese words for Datasette's own pages, for the plugin's template overrides.

Datasette 0.65 has no translations: its templates write English around the
data ("12 rows where search matches … sorted by taken_at descending"). The
plugin's copies of those templates (archive/web/templates/) call these
helpers instead, so the pages are Vietnamese with or without script.

A column's label is its description in metadata.yml (``columns:``) up to
the first bracket: "Nguồn chú thích (cli, sheet, …)" reads "Nguồn chú thích".
A column without a description keeps its name.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from functools import lru_cache
from typing import Any

from markupsafe import Markup, soft_str

from archive import i18n
from archive.web.html_text import escaped
from archive.web.media import value_label

# Datasette's filter keys (datasette/filters.py) → how the filter form and the count line say them.
LOOKUPS = {
    "exact": "=",
    "not": "≠",
    "contains": "chứa",
    "endswith": "kết thúc bằng",
    "startswith": "bắt đầu bằng",
    "gt": ">",
    "gte": "≥",
    "lt": "<",
    "lte": "≤",
    "like": "giống mẫu",
    "notlike": "không giống mẫu",
    "glob": "khớp mẫu glob",
    "in": "thuộc",
    "notin": "không thuộc",
    "arraycontains": "có",
    "arraynotcontains": "không có",
    "date": "vào ngày",
    "isnull": "trống",
    "notnull": "không trống",
    "isblank": "trống hoặc rỗng",
    "notblank": "có nội dung",
}
NO_ARGUMENT = {"isnull", "notnull", "isblank", "notblank"}
# Filters a reviewer reads better as words than as "column = «value»".
PHRASES = {
    ("is_pick", "exact", "1"): "chỉ ảnh chọn (mỗi nhóm ảnh gần giống một ảnh)",
    ("is_pick", "exact", "0"): "chỉ các ảnh gần giống không được chọn",
}
FACET_TYPES = {"array": "danh sách", "date": "ngày"}


def column_label(columns: Mapping[str, str] | None, name: str) -> str:
    """The Vietnamese label of a column: its description before any bracket, else its name."""
    description = (columns or {}).get(name)
    if not isinstance(description, str) or not description.strip():
        return name
    return description.split(" (", 1)[0].strip() or name


def lookup_label(key: str, display: str) -> str:
    """A filter operator as the form shows it; an unknown (plugin) one keeps Datasette's text."""
    return LOOKUPS.get(key, display)


def facet_type_label(kind: str) -> str:
    return FACET_TYPES.get(kind, kind)


def count_rows(count: int | None) -> str:
    """``1.234 dòng``: Vietnamese groups thousands with a dot."""
    if count is None:
        return "Nhiều dòng"
    return f"{i18n.number(count, lang='vi')} dòng"


def number(count: int | None) -> str:
    return "" if count is None else i18n.number(count, lang="vi")


def facet_items(facet: Mapping[str, Any]) -> Markup:
    """A facet's values as ``<li>`` items: a link to choose each, the chosen ones with a cross.

    Written in Python: at seven facets of up to 30 values, two helper calls and
    three escapes per value in the template were a third of the table's render.
    Each text is what the template wrote, escaped as its autoescape did.
    """
    name, out = facet["name"], []
    for item in facet["results"]:
        label, url = value_label(name, item["label"]), escaped(item["toggle_url"])
        count = escaped(number(item["count"]))
        if not item["selected"]:
            out.append(f'<li><a href="{url}">{escaped(soft_str(label) or "-")}</a> {count}</li>')
        else:
            out.append(
                f'<li class="archive-selected">{escaped(label or "-")} &middot; {count}'
                f' <a href="{url}" class="cross" title="Bỏ chọn">&#x2716;</a></li>'
            )
    return Markup("\n".join(out))


def column_options(
    columns: Iterable[str],
    labels: Mapping[str, str] | None,
    selected: Iterable[str | None] = (),
    prefix: str = "",
) -> Markup:
    """The ``<option>`` items of a column menu (the filter and sort forms), labelled.

    In Python for the reason of :func:`facet_items`: the photos table has 58 columns,
    and the form lists them twice; in the template each was a label call and escapes.
    """
    chosen = set(selected)
    return Markup(
        "\n".join(
            _option(name, f"{prefix}{column_label(labels, name)}", name in chosen)
            for name in columns
        )
    )


@lru_cache(maxsize=1024)
def _option(name: str, label: str, selected: bool) -> str:
    """One ``<option>``, escaped: the same hundred or so on every table page."""
    chosen = " selected" if selected else ""
    return f'<option value="{escaped(name)}"{chosen}>{escaped(label)}</option>'


def glossary(columns: Mapping[str, Any] | None) -> Markup:
    """The column glossary's ``<dt>`` name and ``<dd>`` description pairs, in order.

    In Python for the reason of :func:`facet_items`: the photos table describes 58
    columns, and the template's loop passed some 290 pieces of output up through
    every template the page extends.
    """
    return Markup(
        "\n".join(
            f"<dt>{escaped(name)}</dt><dd>{escaped(description)}</dd>"
            for name, description in (columns or {}).items()
        )
    )


def sort_options(
    display_columns: Iterable[Mapping[str, Any]],
    labels: Mapping[str, str] | None,
    chosen: Iterable[str | None],
) -> Markup:
    """The sort menu's ``<option>`` items: the sortable columns, "Xếp theo" each label."""
    sortable = [column["name"] for column in display_columns if column.get("sortable")]
    return column_options(sortable, labels, chosen, prefix="Xếp theo ")


def lookup_options(lookups: Iterable[tuple[str, str, bool]], selected: str | None) -> Markup:
    """The ``<option>`` items of a filter's operator menu, in Vietnamese."""
    items = []
    for key, display, no_argument in lookups:
        value = escaped(f"{key}__1" if no_argument else key)
        mark = " selected" if key == selected else ""
        items.append(
            f'<option value="{value}"{mark}>{escaped(lookup_label(key, display))}</option>'
        )
    return Markup("\n".join(items))


def describe_view(
    selections: Iterable[tuple[str, str, str]],
    search: str | None,
    sort: str | None,
    sort_desc: str | None,
    columns: Mapping[str, str] | None,
) -> str:
    """What the table shows, after its count: the search, the filters, the order, in Vietnamese.

    Built from the same pieces as Datasette's ``human_description_en``
    (the filters' selections, the search, the sort column), with labels
    for column names.
    """
    bits = []
    if search:
        bits.append(f"khớp tìm kiếm «{search}»")
    for column, lookup, value in selections:
        if (column, lookup, value) in PHRASES:
            bits.append(PHRASES[column, lookup, value])
            continue
        label = column_label(columns, column)
        value = value_label(column, value)
        operator = LOOKUPS.get(lookup, lookup)
        bits.append(
            f"{label} {operator}" if lookup in NO_ARGUMENT else f"{label} {operator} «{value}»"
        )
    text = ", ".join(bits)
    order = sort or sort_desc
    if order:
        direction = " giảm dần" if sort_desc else ""
        text = f"{text}, xếp theo {column_label(columns, order)}{direction}".lstrip(", ")
    return text


# Datasette's own error messages (its views raise them in English) → a Vietnamese line.
_ERRORS = [
    (re.compile(r"^Database not found: (?P<x>.+)$"), "Không có cơ sở dữ liệu «{x}»."),
    (re.compile(r"^Table not found: (?P<x>.+)$"), "Không có bảng «{x}»."),
    (re.compile(r"^Record not found: (?P<x>.+)$"), "Không có dòng «{x}»."),
    (re.compile(r"^Not found(: .*)?$"), "Không có trang này."),
    (re.compile(r"^Permission denied$"), "Bạn không có quyền xem trang này."),
    (re.compile(r"^Invalid SQL"), "Câu lệnh SQL không hợp lệ."),
]
_BY_STATUS = {
    400: "Yêu cầu này không thực hiện được.",
    403: "Bạn không có quyền xem trang này.",
    404: "Không có trang này.",
    500: "Máy chủ gặp lỗi; xin thử lại, hoặc báo cho người quản lý kho.",
}
_VIETNAMESE = re.compile("[ăâđêôơưàáảãạèéẻẽẹìíỉĩịòóỏõọùúủũụỳýỷỹỵ]", re.IGNORECASE)


def error_text(status: int, error: Any) -> str:
    """The line an error page shows: the plugin's own (Vietnamese) message as it is,
    Datasette's English one as its Vietnamese equivalent, else a line for the status."""
    text = str(error or "").strip()
    if _VIETNAMESE.search(text):
        return text
    for pattern, line in _ERRORS:
        found = pattern.match(text)
        if found:
            return line.format(**{k: v for k, v in found.groupdict().items() if v})
    return _BY_STATUS.get(status, f"Lỗi {status}.")


def install(env: Any, datasette: Any) -> None:
    """Make the helpers Jinja globals of Datasette's environment.

    Titles come from the metadata Datasette loaded (metadata.yml or ``--metadata``),
    so a page lists ``Ảnh``, not ``photos``.
    """

    def table_title(database: str, table: str) -> str:
        return (datasette.table_metadata(database, table) or {}).get("title") or table

    def database_title(database: str) -> str:
        own = datasette.metadata(database=database, fallback=False) or {}
        return own.get("title") or database

    def table_columns(database: str, table: str) -> dict[str, str]:
        return (datasette.table_metadata(database, table) or {}).get("columns") or {}

    def any_column_label(database: str, table: str, column: str) -> str:
        """The table's own label, else the label that column has in another table
        (event_units.event_id reads "Sự kiện" like photos.event_id), else its name."""
        own = table_columns(database, table)
        if column in own:
            return column_label(own, column)
        tables = (datasette.metadata(database=database, fallback=False) or {}).get("tables") or {}
        for meta in tables.values():
            columns = (meta or {}).get("columns") or {}
            if column in columns:
                return column_label(columns, column)
        return column

    env.globals.update(
        archive_label=column_label,
        archive_lookup=lookup_label,
        archive_facet_type=facet_type_label,
        archive_rows=count_rows,
        archive_number=number,
        archive_facet_items=facet_items,
        archive_column_options=column_options,
        archive_glossary=glossary,
        archive_lookup_options=lookup_options,
        archive_sort_options=sort_options,
        archive_describe=describe_view,
        archive_table_title=table_title,
        archive_database_title=database_title,
        archive_table_columns=table_columns,
        archive_column_label=any_column_label,
        archive_error_text=error_text,
    )
