"""Bodies of the overview, trust and equity pages (the shell is `report.html.page`).

Published-style content (the overview table and every equity chart) shows numbers through
`transforms.suppression`: counts < 5 as `*`, else to the nearest 5; rates `*` when interventions
< 5, people < 5 or bed days < 100, else whole numbers. People are distinct per month, so a
twelve-month rate's people test uses the largest month's people (a lower bound of the period's
distinct people, so never too lenient). Collaborative
SPC charts appear on the overview only when no month of the series would be suppressed.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from typing import Final

import pandas as pd

from report import equity, forest
from report.data import ReportData
from report.html import published, table
from report.published_measures import SHOWN, shown
from report.spc_chart import ASSURANCE, LEGEND, VARIATION, badges, gap_months, spc_svg
from transforms.suppression import MIN_BED_DAYS, MIN_COUNT, suppress_count, suppress_rate
from warehouse.marts.spc_mart import MEASURES
from warehouse.marts.trust_month import MEASURED
from warehouse.schema import ALL_TRUSTS
from warehouse.schema_wards import WHOLE_TRUST

HEADLINE: Final = "interventions_per_1000_obd"


def _gap_note(gaps: dict[str, str]) -> str:
    if not gaps:
        return ""
    listed = "; ".join(f"{m} ({reason})" for m, reason in sorted(gaps.items()))
    return (
        f'<p class="note gaps">Months not charted (left out of the limits and rules, not '
        f"counted as zero): {escape(listed)}.</p>"
    )


def spc_charts(
    spc: pd.DataFrame,
    trust: str,
    measures: Sequence[str] = tuple(MEASURES),
    trust_month: pd.DataFrame | None = None,
    ward: str = WHOLE_TRUST,
    changes: list[tuple[str, str, bool]] | None = None,
) -> str:
    """The trust's (or, with `ward`, one ward's) charts; `trust_month` gives the gaps (the
    trust's or the ward's mart rows) and `changes` the markers."""
    gaps = gap_months(trust_month, trust) if trust_month is not None else {}
    in_ward = spc["ward_code"] == ward if "ward_code" in spc.columns else ward == WHOLE_TRUST
    where = trust if ward == WHOLE_TRUST else f"{trust} {ward}"
    boxes = []
    for measure in measures:
        rows = spc[(spc["trust_code"] == trust) & in_ward & (spc["measure"] == measure)]
        if rows.empty:
            continue
        label = MEASURES[measure]
        chart = spc_svg(rows, f"{label}, {where}", gaps, changes)
        boxes.append(
            f'<div class="chart-box"><h3>{escape(label)}</h3>{chart}<div>{badges(rows)}</div></div>'
        )
    if not boxes:
        return "<p>No SPC series yet.</p>" + _gap_note(gaps)
    return f'{LEGEND}{_gap_note(gaps)}<div class="charts">{"".join(boxes)}</div>'


def equity_section(data: ReportData, trust: str) -> str:
    ratios = equity.period_ratios(data.equity, trust)
    if ratios.empty:
        return "<p>No equity data yet.</p>"
    start, end = (
        f"{pd.Timestamp(ratios[c].iloc[0]):%Y-%m}" for c in ("period_start", "period_end")
    )
    parts = [
        f'<p class="note">Interventions per 1,000 occupied bed days by group, {start} to '
        f"{end}, as a rate ratio against the reference group with its 95% confidence "
        "interval. Small numbers are suppressed.</p>",
        '<div class="charts">',
    ]
    for dimension, title in equity.DIMENSIONS.items():
        rows = ratios[ratios["dimension"] == dimension]
        if rows.empty:
            continue
        cells = [
            [
                r["category_label"],
                published(r["interventions"]),
                published(r["rate_per_1000_obd"]),
                r["status"].replace("_", " "),
            ]
            for r in rows.to_dict("records")
        ]
        parts.append(
            f'<div class="chart-box"><h3>{escape(title)}</h3>'
            f"{forest.forest_svg(rows, f'{title}, {trust}')}"
            + table(
                ["Group", "Interventions", "Rate per 1,000 OBD", "Ratio"], cells, numeric={1, 2}
            )
            + "</div>"
        )
    return "".join([*parts, "</div>"])


def _icon_text(names: dict[str, tuple[str, str, str]], value: object) -> str:
    return names[str(value)][0] if str(value) in names else "run chart / none"


def _headline_rows(data: ReportData, trusts: Sequence[tuple[str, str]]) -> list[list[object]]:
    tm, spc = data.trust_month, data.spc
    rows: list[list[object]] = []
    for code, name in trusts:
        mine = tm[tm["trust_code"] == code].sort_values("reporting_month")
        if "completeness" in mine.columns:  # an incomplete month has no measures: not summed
            mine = mine[mine["completeness"].isin(MEASURED)]
        if mine.empty:
            rows.append([f"{code} {name}", 0, "", "", "", "", "", ""])
            continue
        year = mine.tail(12)
        n, obd = float(year["interventions"].sum()), float(year["occupied_bed_days"].sum())
        rate = n / obd * 1000 if obd else None
        last = mine.iloc[-1]
        trust_series = (
            spc if "ward_code" not in spc.columns else spc[spc["ward_code"] == WHOLE_TRUST]
        )
        head = trust_series[
            (trust_series["trust_code"] == code) & (trust_series["measure"] == HEADLINE)
        ]
        icons = head.iloc[-1] if len(head) else pd.Series(dtype=object)
        rows.append(
            [
                f"{code} {name}",
                len(mine),
                published(suppress_count([n]).iloc[0]),
                published(suppress_rate([rate], [n], [obd], [year["people"].max()]).iloc[0]),
                f"{pd.Timestamp(last['reporting_month']):%Y-%m}",
                published(
                    suppress_rate(
                        [last[HEADLINE]],
                        [last["interventions"]],
                        [last["occupied_bed_days"]],
                        [last["people"]],
                    ).iloc[0]
                ),
                _icon_text(VARIATION, icons.get("variation_icon")),
                _icon_text(ASSURANCE, icons.get("assurance_icon")),
            ]
        )
    return rows


def _publishable(tm: pd.DataFrame) -> bool:
    everyone = tm[tm["trust_code"] == ALL_TRUSTS]
    if "trusts_included" in everyone.columns:  # ghosted months are not charted
        everyone = everyone[pd.to_numeric(everyone["trusts_included"]).fillna(0) > 0]
    return bool(len(everyone)) and bool(
        (everyone["interventions"] >= MIN_COUNT).all()
        and (everyone["people"] >= MIN_COUNT).all()
        and (everyone["occupied_bed_days"] >= MIN_BED_DAYS).all()
    )


def overview_body(data: ReportData, trusts: Sequence[tuple[str, str]]) -> str:
    months = sorted({f"{pd.Timestamp(m):%Y-%m}" for m in data.trust_month["reporting_month"]})
    period = f"{months[0]} to {months[-1]}" if months else "no months loaded yet"
    links = " ".join(f'<a href="trusts/{escape(c)}.html">{escape(c)}</a>' for c, _ in trusts)
    headers = [
        "Trust",
        "Months",
        "Interventions, last 12 months",
        "Rate per 1,000 OBD, last 12 months",
        "Latest complete month",
        "Rate, latest complete month",
        "Variation (rate)",
        "Assurance (rate)",
    ]
    parts = [
        f"<p>Restrictive practice across the collaborative, {period}. Numbers on this page "
        "are suppressed for sharing (* = fewer than 5, or under 100 bed days); counts are "
        "rounded to the nearest 5.</p>",
        table(headers, _headline_rows(data, trusts), numeric={1, 2, 3, 5}),
        _measures_overview(data.trust_month, trusts),
        f"<p>Trust pages: {links}</p>",
        '<p><a href="comparison.html">Fair comparison: funnel plots of the trusts and of each'
        " trust's wards</a></p>",
        "<h2>The collaborative</h2>",
    ]
    parts.append(_collaborative_coverage(data.trust_month))
    if _publishable(data.trust_month):
        parts.append(spc_charts(data.spc, ALL_TRUSTS, trust_month=data.trust_month))
    else:
        parts.append(
            '<p class="note">Collaborative charts are withheld: at least one month '
            "has numbers small enough to be suppressed.</p>"
        )
    parts.append(notes_section())
    return "".join(parts)


def _measures_overview(tm: pd.DataFrame, trusts: Sequence[tuple[str, str]]) -> str:
    """The measures of domain.md §3.6 for each trust's latest complete month, as published."""
    if "inpatients" not in tm.columns:
        return ""
    rows: list[list[object]] = []
    for code, name in [*trusts, (ALL_TRUSTS, "the collaborative")]:
        mine = tm[(tm["trust_code"] == code) & tm["completeness"].isin(MEASURED)]
        if code == ALL_TRUSTS:
            mine = tm[(tm["trust_code"] == code) & tm["completeness"].eq("complete")]
        if mine.empty:
            continue
        last = mine.sort_values("reporting_month").iloc[-1]
        month = f"{pd.Timestamp(last['reporting_month']):%Y-%m}"
        rows.append([f"{code} {name}", month, *(shown(c, last) for c in list(SHOWN)[2:])])
    headers = ["Trust", "Month", *list(SHOWN.values())[2:]]
    return (
        "<h2>More measures, latest complete month</h2>"
        '<p class="note">Shares and averages are * when a count they rest on is under 5.</p>'
        + table(headers, rows, numeric=set(range(2, len(headers))))
    )


def _collaborative_coverage(tm: pd.DataFrame) -> str:
    """Which months of the collaborative's numbers include every trust, and which do not."""
    if "trusts_included" not in tm.columns:
        return ""
    everyone = tm[tm["trust_code"] == ALL_TRUSTS].sort_values("reporting_month")
    short = everyone[everyone["completeness"] != "complete"]
    if short.empty:
        return '<p class="note">Every month of the collaborative includes every trust.</p>'
    listed = "; ".join(
        f"{pd.Timestamp(m):%Y-%m}: {int(i)} of {int(e)}"
        for m, i, e in zip(short["reporting_month"], short["trusts_included"],
                           short["trusts_expected"], strict=True)
    )  # fmt: skip
    return (
        '<p class="note gaps">The collaborative sums only trust-months with both files loaded. '
        f"Months with fewer trusts than the collaborative has: {escape(listed)}.</p>"
    )


NOTES: Final = (
    # measure, definition, denominator, completeness, suppression
    ("Interventions", "Distinct restrictive interventions in the month (NHS Digital MHS77); "
     "a row with a bad ethnicity, date of birth, gender, ward or NHS number still counts, as "
     "Unknown.", "-", "Missing (not zero) without a loaded interventions file.",
     "Under 5: *; otherwise rounded to the nearest 5."),
    ("People", "Distinct identified patients with an intervention (MHS76); a person with "
     "neither a valid NHS number nor a local id is not counted.", "-",
     "As interventions.", "Under 5: *; otherwise rounded to the nearest 5."),
    ("Rate per 1,000 occupied bed days", "Interventions / occupied bed days x 1,000, for the "
     "trust, one intervention type, or one equity group.", "Ward-stay bed days in the month "
     "(for a group: bed days of people in that group); ages at the month's end for both.",
     "Shown only when both files are loaded (a header-only interventions file is a real "
     "zero); otherwise a gap, never 0. The collaborative sums complete trust-months only.",
     "*: fewer than 5 interventions, fewer than 5 people (of that type or group) or fewer "
     "than 100 bed days; otherwise a whole number."),
    ("Rate ratio", "A group's rate / the reference group's rate, with a 95% interval.",
     "The reference group's rate.", "As rates.",
     "*: when either rate is suppressed (so no hidden rate can be worked back)."),
    ("SPC charts", "Making Data Count XmR charts; NHS England SQL v2.6 rules by default "
     "(shift 6, trend 6, SPC from 13 points), NHSRplotthedots rules (7, 7, 15) where a trust "
     "uses them; targets fixed from a baseline year.", "-",
     "Incomplete months are left out (grey gaps, with the reason).",
     "Inside the collaborative only."),
)  # fmt: skip


def notes_section() -> str:
    """What each number on these pages means (docs/domain.md §3.5)."""
    headers = ["Measure", "Definition", "Denominator", "Completeness", "Suppression"]
    return "<h2>Notes on the numbers</h2>" + table(headers, [list(n) for n in NOTES])


def trust_body(
    data: ReportData,
    code: str,
    name: str,
    wards: str = "",
    changes: list[tuple[str, str, bool]] | None = None,
) -> str:
    """The trust page: its charts (with the whole-trust `changes` as markers), the `wards`
    section (links to the ward pages, `report.ward_pages`) and equity."""
    charts = spc_charts(data.spc, code, trust_month=data.trust_month, changes=changes)
    return (
        f'<p>{escape(name)}. <a href="../feedback/{escape(code)}/index.html">Data-quality '
        f'feedback for this trust</a>. <a href="../comparison.html#wards-{escape(code)}">Its'
        " wards on funnel plots</a>.</p><h2>Making Data Count charts</h2>"
        f"{charts}"
        + (f"<h2>Wards</h2>{wards}" if wards else "")
        + f"<h2>Equity</h2>{equity_section(data, code)}"
    )


def equity_body(data: ReportData) -> str:
    return "<h2>The collaborative</h2>" + equity_section(data, ALL_TRUSTS)
