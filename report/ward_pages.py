"""The ward pages (one per trust ward: its SPC charts with change markers and its measures) and
the trust page's list of them.

Ward pages, like trust pages, are for the collaborative's own QI teams: the charts show the
ward's values as computed. The measures table shows numbers as they would be published
(`report.published_measures`: counts under 5 as `*`, others to the nearest 5; a share or an
average `*` when a count it rests on is under 5), because a ward's numbers are small.
Layout: `wards/<ODS>/<ward>.html` (the ward code made safe for a file name).
"""

from __future__ import annotations

import re
from html import escape
from typing import Final

import pandas as pd

from report.data import ReportData
from report.html import table
from report.pages import spc_charts
from report.published_measures import SHOWN, shown
from warehouse.schema_wards import UNKNOWN_WARD, WHOLE_TRUST

TABLE_MONTHS: Final = 12


def ward_file(ward: str) -> str:
    """The ward page's file name: letters, digits, '-' and '_' kept, others as '_'."""
    return re.sub(r"[^A-Za-z0-9_-]", "_", ward) + ".html"


def wards_of(data: ReportData, code: str) -> list[str]:
    """The trust's wards with rows in mart_ward_month (UNKNOWN left out), in code order."""
    if data.wards.empty:
        return []
    mine = data.wards[data.wards["trust_code"] == code]["ward_code"]
    return sorted({str(w) for w in mine} - {UNKNOWN_WARD})


def change_markers(data: ReportData, code: str, ward: str) -> list[tuple[str, str, bool]]:
    """(YYYY-MM, label, recalculate) of the changes drawn on a series: the ward's own and the
    whole trust's (a trust series: the whole trust's only)."""
    if data.annotations.empty:
        return []
    wanted = {WHOLE_TRUST} if ward == WHOLE_TRUST else {WHOLE_TRUST, ward}
    rows = data.annotations[
        (data.annotations["trust_code"] == code) & data.annotations["ward_code"].isin(wanted)
    ]
    return [
        (f"{pd.Timestamp(m):%Y-%m}", str(label), bool(r))
        for m, label, r in zip(rows["from_month"], rows["label"], rows["recalculate"], strict=True)
    ]


def ward_links(data: ReportData, code: str) -> str:
    """The trust page's section linking to each ward page, with the ward's latest month."""
    wards = wards_of(data, code)
    if not wards:
        return "<p>No ward-level data yet.</p>"
    rows = []
    mine = data.wards[data.wards["trust_code"] == code].sort_values("reporting_month")
    for ward in wards:
        last = mine[mine["ward_code"] == ward].iloc[-1]
        link = f'<a href="../wards/{escape(code)}/{escape(ward_file(ward))}">{escape(ward)}</a>'
        rows.append([link, last["ward_type"], last["security_level"],
                     f"{pd.Timestamp(last['reporting_month']):%Y-%m}",
                     shown("interventions", last),
                     shown("interventions_per_1000_obd", last)])  # fmt: skip
    headers = ["Ward", "Ward type", "Security level", "Latest month", "Interventions",
               "Rate per 1,000 OBD"]  # fmt: skip
    return table(headers, rows, numeric={4, 5}, raw={0})


def measures_table(rows: pd.DataFrame) -> str:
    """The latest months of mart rows (a ward's or a trust's) as published, one row a month."""
    latest = rows.sort_values("reporting_month").tail(TABLE_MONTHS)
    cells = [
        [f"{pd.Timestamp(r['reporting_month']):%Y-%m}", *(shown(c, r) for c in SHOWN)]
        for r in latest.to_dict("records")
    ]
    return table(["Month", *SHOWN.values()], cells, numeric=set(range(1, len(SHOWN) + 1)))


def ward_body(data: ReportData, code: str, name: str, ward: str) -> str:
    rows = data.wards[(data.wards["trust_code"] == code) & (data.wards["ward_code"] == ward)]
    markers = change_markers(data, code, ward)
    listed = "".join(
        f"<li>{escape(m)}: {escape(label)}"
        f"{' (limits recalculated from this month)' if r else ''}</li>"
        for m, label, r in markers
    )
    return (
        f'<p>{escape(name)}, ward {escape(ward)}. <a href="../../trusts/{escape(code)}.html">'
        "Back to the trust</a>.</p>"
        + (f'<h2>Changes</h2><ul class="changes">{listed}</ul>' if markers else "")
        + "<h2>Making Data Count charts</h2>"
        + spc_charts(data.spc, code, trust_month=rows, ward=ward, changes=markers)
        + "<h2>Measures</h2>"
        + measures_table(rows)
    )
