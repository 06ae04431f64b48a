"""Forest plot of rate ratios with 95% CIs on a log scale, reference line at 1, as inline SVG.

Input: the rows of one dimension from `report.equity.period_ratios`, in display order. Ratios
are drawn only for `status == "shown"`; the reference category is marked at 1, suppressed and
uncompared categories are listed with a word instead of a point, so a reader sees every group.
"""

from __future__ import annotations

import math
from typing import Final

import pandas as pd

from report import svg
from report.spc_chart import BLUE, GREY

WIDTH: Final = 590
LABEL_RIGHT, PLOT_LEFT, PLOT_RIGHT = 170, 180, 470
ROW, TOP, BOTTOM = 22, 10, 34
CANDIDATE_TICKS: Final = (1, 0.5, 2, 0.1, 10, 0.2, 5, 0.25, 4, 0.05, 20, 50)
"""Tick values in the order they are wanted: 1 first, then the round values either side; the
axis leaves out any whose label would overprint one before it (`svg.spaced`)."""
STATUS_TEXT: Final = {
    "reference": "reference (1)",
    "suppressed": "suppressed (small numbers)",
    "not_compared": "not compared",
}


def _range(rows: pd.DataFrame) -> tuple[float, float]:
    values = pd.concat([rows["ci_lower"], rows["ci_upper"], rows["rate_ratio"]]).dropna()
    values = values[values > 0]
    lo = min(0.5, float(values.min()) if len(values) else 0.5)
    hi = max(2.0, float(values.max()) if len(values) else 2.0)
    return lo / 1.15, hi * 1.15


def forest_svg(rows: pd.DataFrame, label: str) -> str:
    """The plot for one dimension's categories (one row each)."""
    height = TOP + ROW * max(len(rows), 1) + BOTTOM
    lo, hi = _range(rows)
    x = svg.Scale(lo, hi, PLOT_LEFT, PLOT_RIGHT, log=True)
    axis_y = height - BOTTOM + 6
    ticks = [(t, svg.number(t)) for t in CANDIDATE_TICKS if lo <= t <= hi]
    parts = [
        svg.x_axis(x, axis_y, ticks),
        svg.text((PLOT_LEFT + PLOT_RIGHT) / 2, height - 4, "rate ratio (log scale)", 10),
        svg.line(x(1.0), TOP - 4, x(1.0), axis_y, "#333", 1, "3 3", "reference-line"),
    ]
    for i, row in enumerate(rows.to_dict("records")):
        y = TOP + ROW * i + ROW / 2
        parts.append(svg.text(LABEL_RIGHT, y + 4, str(row["category_label"]), anchor="end"))
        status = str(row["status"])
        if status == "shown" and math.isfinite(float(row["rate_ratio"])):
            ratio, low, high = (float(row[c]) for c in ("rate_ratio", "ci_lower", "ci_upper"))
            if math.isfinite(low) and math.isfinite(high) and low > 0:
                parts.append(
                    svg.line(x(max(low, lo)), y, x(min(high, hi)), y, "#333", 1.5, cls="ci")
                )
            parts.append(
                svg.circle(
                    x(min(max(ratio, lo), hi)),
                    y,
                    4,
                    BLUE,
                    f"{row['category_label']}: {svg.number(ratio)}",
                    "ratio",
                )
            )
            words = f"{ratio:.2f} ({low:.2f}-{high:.2f})"
        elif status == "reference":
            parts.append(svg.circle(x(1.0), y, 4, GREY, "reference", "ratio reference"))
            words = STATUS_TEXT[status]
        else:
            words = STATUS_TEXT.get(status, "no ratio (no bed days or no reference events)")
        parts.append(svg.text(PLOT_RIGHT + 10, y + 4, words, size=10, anchor="start"))
    return svg.svg(WIDTH, height, "".join(parts), label, "chart forest-plot")
