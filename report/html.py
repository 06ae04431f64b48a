"""The page shell shared by every report page: inline CSS, navigation, escaped tables.

Pages are self-contained files that work opened from disk: no scripts, no external styles,
fonts or images, and links are relative (`root` is the path back to the report's top folder).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from collections.abc import Set as AbstractSet
from html import escape
from typing import Final

import pandas as pd

CSS: Final = """
body{font-family:Arial,Helvetica,sans-serif;margin:0;color:#222;background:#fafafa}
header{background:#005eb8;color:#fff;padding:10px 24px}
header a{color:#fff;margin-right:16px;text-decoration:none;font-weight:bold}
main{padding:12px 24px 40px;max-width:1320px}
h1{font-size:22px}h2{font-size:18px;margin-top:28px}h3{font-size:15px;margin:18px 0 4px}
table{border-collapse:collapse;font-size:13px;margin:6px 0 14px;background:#fff}
th,td{border:1px solid #d9d9d9;padding:3px 7px;text-align:left;vertical-align:top}
th{background:#f0f4f5}td.num{text-align:right}
.charts{display:flex;flex-wrap:wrap;gap:18px}
.chart-box{background:#fff;border:1px solid #e0e0e0;padding:8px;width:600px}
.badge{display:inline-flex;align-items:center;gap:6px;border:2px solid #a6a6a6;
border-radius:14px;padding:2px 9px 2px 3px;margin:4px 6px 0 0;font-size:12px;background:#fff}
.badge.run{padding:3px 9px;color:#555}
.legend{font-size:12px;color:#555}
.note{font-size:12px;color:#555}
.cell-loaded{background:#d7f1fb}.cell-quarantined{background:#ffe7cc}
.cell-rejected{background:#f8c9c9}.cell-missing{background:#f2f2f2;color:#999}
.matrix td{text-align:center;font-size:11px;white-space:nowrap}
"""


def page(title: str, body: str, root: str = "") -> str:
    """A complete HTML document; `root` is "" for top-level pages, "../" one folder down."""
    nav = (
        f'<a href="{root}index.html">Overview</a><a href="{root}equity.html">Equity</a>'
        f'<a href="{root}comparison.html">Comparison</a>'
        f'<a href="{root}submissions.html">Submissions and data quality</a>'
    )
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)}</title><style>{CSS}</style></head>"
        f"<body><header>{nav}</header><main><h1>{escape(title)}</h1>{body}</main></body></html>\n"
    )


def table(
    headers: Sequence[str],
    rows: Iterable[Sequence[object]],
    numeric: AbstractSet[int] = frozenset(),
    cls: str = "",
    raw: AbstractSet[int] = frozenset(),
) -> str:
    """An HTML table; every cell is escaped text (except the columns in `raw`: HTML the caller
    built and escaped, such as links), None shows as an empty cell."""
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    body = []
    for row in rows:
        cells = []
        for i, value in enumerate(row):
            shown = "" if value is None else str(value) if i in raw else escape(str(value))
            cells.append(f'<td class="num">{shown}</td>' if i in numeric else f"<td>{shown}</td>")
        body.append(f"<tr>{''.join(cells)}</tr>")
    klass = f' class="{cls}"' if cls else ""
    return f"<table{klass}><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def is_missing(value: object) -> bool:
    """True for None, NaN, pd.NA and NaT: the ways a warehouse NULL arrives in pandas."""
    return (
        value is None
        or value is pd.NA
        or value is pd.NaT
        or (isinstance(value, float) and math.isnan(value))
    )


def published(value: object) -> str:
    """A published (suppressed) number: `*` when suppressed (missing), else the integer."""
    if is_missing(value):
        return "*"
    return f"{int(value):,}"  # type: ignore[call-overload]
