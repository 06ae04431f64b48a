"""The comparison page: trusts on a funnel plot per measure, then each trust's wards.

Reads mart_funnel (the collaborative's own figures, unsuppressed like the trust pages' SPC
charts; `pub_funnel` is the shareable version). The latest twelve-month period is drawn; the
table under each trust funnel lists every trust with its months, rate, 99.8% limits and flag,
and the financial years' outliers follow.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

import pandas as pd

from report.data import ReportData
from report.funnel_chart import LEGEND, funnel_svg
from report.html import is_missing, table
from report.svg import number
from warehouse.marts.funnel_mart import MEASURES
from warehouse.marts.spc_mart import MEASURES as LABELS

NOTE = (
    '<p class="note">Each point is a trust (or a ward) pooled over the period\'s complete months;'
    " the funnel shows where a unit of that size would fall by chance around the pooled rate"
    " (Spiegelhalter 2005, overdispersion as NHS-R's FunnelPlotR: docs/domain.md §4.8). A point"
    " outside the 99.8% limits is flagged; ward funnels compare a trust's known wards with each"
    " other.</p>"
)


def _latest(funnel: pd.DataFrame) -> str | None:
    rolling = funnel[~funnel["period"].astype(str).str.startswith("FY")]
    return None if rolling.empty else str(rolling["period"].iloc[0])


def _rows(funnel: pd.DataFrame, period: str, level: str, measure: str) -> pd.DataFrame:
    pick = (
        (funnel["period"] == period) & (funnel["level"] == level) & (funnel["measure"] == measure)
    )
    return funnel[pick & funnel["value"].notna()]


def _box(rows: pd.DataFrame, title: str, label: str, unit: str) -> str:
    if rows.empty or is_missing(rows["upper_998"].iloc[0]) or len(rows) < 2:
        return ""
    return (
        f'<div class="chart-box"><h3>{escape(title)}</h3>{funnel_svg(rows, label, unit)}'
        f'<p class="note">Pooled rate {number(float(rows["target"].iloc[0]))} per 1,000 OBD;'
        f" tau&sup2; {float(rows['tau2'].iloc[0]):.4f}"
        f"{' (exact Poisson limits)' if float(rows['tau2'].iloc[0]) == 0 else ''}.</p></div>"
    )


def _table(rows: pd.DataFrame, names: dict[str, str]) -> str:
    body = [
        [f"{r['trust_code']} {names.get(r['trust_code'], '')}".strip(), r["months"],
         number(r["value"]), f"{number(r['lower_998'])}-{number(r['upper_998'])}",
         r["outlier"] if isinstance(r["outlier"], str) else ""]
        for r in rows.sort_values("trust_code").to_dict("records")
    ]  # fmt: skip
    return table(["trust", "months", "rate", "99.8% limits", "outlier"], body, {1, 2, 3})


def _year_outliers(funnel: pd.DataFrame) -> str:
    flagged = funnel[funnel["period"].astype(str).str.startswith("FY") & funnel["outlier"].notna()]
    if flagged.empty:
        return "<p>No trust or ward outside its 99.8% limits in any financial year.</p>"
    body = [
        [r["period"], r["level"], r["trust_code"], r["ward_code"], LABELS[r["measure"]],
         number(r["value"]), r["outlier"]]
        for r in flagged.sort_values(["period", "level", "trust_code", "ward_code"]).to_dict(
            "records")
    ]  # fmt: skip
    return table(["period", "level", "trust", "ward", "measure", "rate", "outlier"], body, {5})


def comparison_body(data: ReportData, trusts: Sequence[tuple[str, str]]) -> str:
    funnel = data.funnel
    period = None if funnel.empty else _latest(funnel)
    if period is None:
        return "<p>No complete months to compare yet.</p>"
    names = dict(trusts)
    parts = [NOTE, LEGEND, f"<h2>Trusts, {escape(period)}</h2>", '<div class="charts">']
    tables = []
    for measure in MEASURES:
        rows = _rows(funnel, period, "trust", measure)
        parts.append(
            _box(rows, LABELS[measure], f"{LABELS[measure]}, trusts, {period}", "trust_code")
        )
        tables.append(f"<h3>{escape(LABELS[measure])}</h3>{_table(rows, names)}")
    parts += ["</div>", *tables, f"<h2>Wards within each trust, {escape(period)}</h2>"]
    for code, name in trusts:
        boxes = [
            _box(_rows(funnel[funnel["trust_code"] == code], period, "ward", m), LABELS[m],
                 f"{LABELS[m]}, wards of {code}, {period}", "ward_code")
            for m in MEASURES
        ]  # fmt: skip
        shown = "".join(boxes) or "<p>Fewer than two wards with bed days, or no events.</p>"
        parts.append(f'<h3 id="wards-{escape(code)}">{escape(code)} {escape(name)}</h3>')
        parts.append(f'<div class="charts">{shown}</div>')
    parts += ["<h2>Financial years: units outside the 99.8% limits</h2>", _year_outliers(funnel)]
    return "".join(parts)
