"""One Making Data Count XmR (or run) chart as inline SVG, plus its icon badges as HTML.

Input: the mart_spc rows of one (trust, measure) series, in month order. Colours are the MDC
ones (domain.md §4.4): common cause grey, improvement blue, concern orange, neutral purple, target
red. Limits, 2-sigma lines and the mean are drawn per limits partition (a recalculation starts
new lines). A run chart (fewer points than the row's rule profile needs) shows only the values
and the mean. A month left out of the series (an incomplete trust-month, mart_trust_month's
`completeness`) keeps its place on the month axis as a grey band whose tooltip says why; the
line breaks there instead of joining through a false zero. A declared change (dim_change) is a
labelled vertical marker at its month (dashed when it recalculates the limits, dotted when not).
"""

from __future__ import annotations

from html import escape
from typing import Final

import pandas as pd

from report import svg
from report.html import is_missing

GREY: Final = "#a6a6a6"
BLUE: Final = "#00b0f0"
ORANGE: Final = "#e46c0a"
PURPLE: Final = "#490092"
RED: Final = "#de1b1b"
POINT_COLOURS: Final = {
    "special_cause_improvement": BLUE,
    "special_cause_concern": ORANGE,
    "special_cause_neutral_high": PURPLE,
    "special_cause_neutral_low": PURPLE,
}
VARIATION: Final = {
    "common_cause": ("Common cause variation", GREY, "~"),
    "improvement_low": ("Special cause improvement (lower)", BLUE, "L"),
    "improvement_high": ("Special cause improvement (higher)", BLUE, "H"),
    "concern_high": ("Special cause concern (higher)", ORANGE, "H"),
    "concern_low": ("Special cause concern (lower)", ORANGE, "L"),
    "neutral_high": ("Special cause neither (higher)", PURPLE, "H"),
    "neutral_low": ("Special cause neither (lower)", PURPLE, "L"),
}
ASSURANCE: Final = {
    "pass": ("Target consistently met", BLUE, "P"),
    "fail": ("Target consistently missed", ORANGE, "F"),
    "hit_or_miss": ("Target hit or miss", GREY, "?"),
}
WIDTH, HEIGHT = 590, 250
LEFT, RIGHT, TOP, BOTTOM = 52, 12, 14, 36


def _y_range(rows: pd.DataFrame) -> tuple[float, float]:
    columns = ["value", "mean", "upper_limit", "lower_limit", "target"]
    numbers = pd.concat([rows[c] for c in columns if c in rows]).dropna().astype("float64")
    if numbers.empty:  # every point ghosted or missing: an empty chart, not a crash
        return 0.0, 1.0
    lo, hi = float(numbers.min()), float(numbers.max())
    pad = (hi - lo) * 0.08 or 1.0
    return lo - pad, hi + pad


def _partition_lines(rows: pd.DataFrame, x: svg.Scale, y: svg.Scale) -> list[str]:
    parts: list[str] = []
    styles = [
        ("mean", "#333", "", "mean"),
        ("upper_limit", GREY, "6 4", "limit"),
        ("lower_limit", GREY, "6 4", "limit"),
        ("upper_2sigma", "#d9d9d9", "2 3", "sigma"),
        ("lower_2sigma", "#d9d9d9", "2 3", "sigma"),
    ]
    for _, part in rows.groupby("limits_partition", sort=True):
        for column, colour, dash, cls in styles:
            points = [
                (x(float(i)), y(float(v)))
                for i, v in zip(part.index, part[column], strict=True)
                if not is_missing(v)
            ]
            if len(points) == 1:
                points.append((points[0][0] + 4, points[0][1]))
            parts.append(svg.polyline(points, colour, 1.2, dash, cls))
    return parts


GAP_REASONS: Final = {
    "no_interventions_file": "no interventions file loaded",
    "no_ward_stays_file": "no ward stays file loaded",
    "no_files": "no file loaded",
    "partial": "no trust's month complete",
}


def gap_months(trust_month: pd.DataFrame, trust: str) -> dict[str, str]:
    """Months of `trust` left out of its SPC series (ghosted), with the reason (YYYY-MM ->
    text), from mart_trust_month's `completeness`."""
    if "completeness" not in trust_month.columns:
        return {}
    mine = trust_month[trust_month["trust_code"] == trust]
    if trust == "ALL":
        included = pd.to_numeric(mine["trusts_included"], errors="coerce").fillna(0)
        mine = mine[included == 0]
    else:
        mine = mine[~mine["completeness"].isin(["complete", "nil_return"])]
    return {
        f"{pd.Timestamp(m):%Y-%m}": GAP_REASONS.get(str(c), str(c))
        for m, c in zip(mine["reporting_month"], mine["completeness"], strict=True)
    }


CHANGE_COLOUR: Final = "#005eb8"  # NHS blue


def _change_markers(
    changes: list[tuple[str, str, bool]], position: dict[str, float], x: svg.Scale
) -> list[str]:
    """A vertical line and label per change (YYYY-MM, label, recalculate) inside the axis."""
    out = []
    for month, label, recalculate in sorted(changes):
        if month not in position:
            continue
        at = x(position[month])
        dash = "6 3" if recalculate else "2 3"
        note = "limits recalculated" if recalculate else "no recalculation"
        out.append(
            f'<g class="change-marker"><title>{escape(month)}: {escape(label)} ({note})</title>'
            + svg.line(at, TOP, at, HEIGHT - BOTTOM, CHANGE_COLOUR, 1.5, dash, "change-line")
            + svg.text(at + 3, TOP + 10, label, 10, "start", CHANGE_COLOUR)
            + "</g>"
        )
    return out


def spc_svg(
    rows: pd.DataFrame,
    label: str,
    gaps: dict[str, str] | None = None,
    changes: list[tuple[str, str, bool]] | None = None,
) -> str:
    """The chart for one series (mart_spc rows, any index; sorted here by month). `gaps`
    (YYYY-MM -> reason) are months left out of the series: they keep their place on the month
    axis as a marked gap, the line breaks there, and the reason is the marker's tooltip.
    `changes` ((YYYY-MM, label, recalculate)) are drawn as labelled vertical markers."""
    rows = rows.sort_values("reporting_month").reset_index(drop=True)
    months = [f"{pd.Timestamp(m):%Y-%m}" for m in rows["reporting_month"]]
    gaps = {m: r for m, r in (gaps or {}).items() if months and m >= months[0]}
    timeline = sorted(set(months) | set(gaps))
    position = {m: float(i) for i, m in enumerate(timeline)}
    rows.index = pd.Index([position[m] for m in months])
    x = svg.Scale(0, max(len(timeline) - 1, 1), LEFT + 8, WIDTH - RIGHT - 8)
    lo, hi = _y_range(rows)
    y = svg.Scale(lo, hi, HEIGHT - BOTTOM, TOP)
    step = max(1, len(timeline) // 8)
    x_ticks = [(float(i), timeline[i]) for i in range(0, len(timeline), step)]
    y_ticks = [(t, svg.number(t)) for t in svg.nice_ticks(lo, hi) if lo <= t <= hi]
    parts = [svg.y_axis(y, LEFT, y_ticks, WIDTH - RIGHT), svg.x_axis(x, HEIGHT - BOTTOM, x_ticks)]
    parts += _partition_lines(rows, x, y)
    if rows["target"].notna().any() and rows["chart_type"].iloc[0] == "xmr":
        level = y(float(rows["target"].iloc[-1]))
        parts.append(svg.line(LEFT, level, WIDTH - RIGHT, level, RED, 1.2, "4 3", "target"))
    for month, reason in sorted(gaps.items()):
        at = x(position[month])
        parts.append(
            f'<g class="gap"><title>{escape(month)}: not charted, {escape(reason)}</title>'
            + svg.line(at, TOP, at, HEIGHT - BOTTOM, "#d9d9d9", 6, "", "gap-band")
            + "</g>"
        )
    parts += _change_markers(changes or [], position, x)
    points = [(x(p), y(float(v))) for p, v in zip(rows.index, rows["value"], strict=True)]
    segment: list[tuple[float, float]] = []
    previous = -1.0
    for (px, py), p in zip(points, rows.index, strict=True):
        if segment and any(position[g] < p and position[g] > previous for g in gaps):
            parts.append(svg.polyline(segment, GREY, 1.5, cls="values"))
            segment = []
        segment.append((px, py))
        previous = p
    parts.append(svg.polyline(segment, GREY, 1.5, cls="values"))
    for i, row in enumerate(rows.to_dict("records")):
        colour = POINT_COLOURS.get(str(row["point_type"]), GREY)
        signal = f", {row['signal']}" if not is_missing(row["signal"]) else ""
        tip = f"{months[i]}: {svg.number(float(row['value']))}{signal}"
        parts.append(svg.circle(*points[i], 3.5, colour, tip, "point"))
    return svg.svg(WIDTH, HEIGHT, "".join(parts), label, "chart spc-chart")


def _badge(kind: str, names: dict[str, tuple[str, str, str]], value: object) -> str:
    if is_missing(value) or str(value) not in names:
        return ""
    title, colour, letter = names[str(value)]
    icon = (
        f'<svg class="icon" width="22" height="22" viewBox="0 0 22 22" aria-hidden="true">'
        f'<circle cx="11" cy="11" r="10" fill="{colour}"/>'
        f'<text x="11" y="15" font-size="12" text-anchor="middle" fill="#fff"'
        f' style="{svg.FONT}">{escape(letter)}</text></svg>'
    )
    return f'<span class="badge {kind}" style="border-color:{colour}">{icon}{escape(title)}</span>'


def badges(rows: pd.DataFrame) -> str:
    """The series' variation and assurance icons as labelled badges (empty for a run chart)."""
    if rows.empty or rows["chart_type"].iloc[0] == "run":
        return (
            '<span class="badge run">Run chart: too few points for limits (13 under NHS'
            " England's SQL v2.6, 15 under NHSRplotthedots), no icons</span>"
        )
    last = rows.sort_values("reporting_month").iloc[-1]
    return _badge("variation", VARIATION, last["variation_icon"]) + _badge(
        "assurance", ASSURANCE, last["assurance_icon"]
    )


LEGEND: Final = (
    '<p class="legend">'
    f'<span style="color:{GREY}">&#9679; common cause</span> '
    f'<span style="color:{BLUE}">&#9679; improvement</span> '
    f'<span style="color:{ORANGE}">&#9679; concern</span> '
    f'<span style="color:{PURPLE}">&#9679; neither</span> '
    "&mdash; mean (solid), process limits (dashed), 2-sigma (dotted), "
    f'<span style="color:{RED}">target (red dashed)</span></p>'
)
