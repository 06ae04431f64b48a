"""One funnel plot as inline SVG: units' rates against their bed days, with the 95% and 99.8%
limits around the pooled rate (mart_funnel rows of one period, level, trust and measure).

The curves are drawn from the rows' own `target` and `tau2` over a range of bed days
(`transforms.funnel.limits_at`, the formulas the mart used), so a point sits outside the 99.8%
curve exactly when the mart flags it. Colours as the SPC charts: above the 99.8% limit orange,
below blue, inside grey; outliers carry their code as a label. The y axis runs from 0 to the
largest of 1.3 x the target and 1.1 x the highest rate (FunnelPlotR's default) and 1.05 x the
highest 99.8% upper limit of a unit, so every unit's limits are in view; a curve leaving the
plot (at bed days smaller than any unit's) is cut off there.
"""

from __future__ import annotations

from typing import Final

import numpy as np
import pandas as pd

from report import svg
from report.spc_chart import BLUE, GREY, ORANGE
from transforms.funnel import limits_at

WIDTH, HEIGHT = 590, 280
LEFT, RIGHT, TOP, BOTTOM = 52, 14, 14, 40
COLOURS: Final = {"high": ORANGE, "low": BLUE}
TARGET: Final = "#005eb8"  # the pooled rate: NHS blue, apart from the grey and black limits
CURVES: Final = (("95", "#7f7f7f", "5 4"), ("998", "#333", ""))


Points = list[tuple[float, float]]


def _clipped(xs: np.ndarray, ys: np.ndarray, x: svg.Scale, y: svg.Scale) -> list[Points]:
    """The curve's stretches inside the plot's y range, as pixel points."""
    runs: list[Points] = []
    run: Points = []
    for a, b in zip(xs, ys, strict=True):
        if np.isfinite(b) and y.lo <= b <= y.hi:
            run.append((x(float(a)), y(float(b))))
        elif run:
            runs.append(run)
            run = []
    runs.append(run)
    return [r for r in runs if len(r) > 1]


GAP = 4  # pixels between two labels on one line: touching ones read as one word


def _label(px: float, py: float, unit: str, placed: list[tuple[float, float, float, float]]) -> str:
    """The outlier's code beside its point, moved down a line at a time until it clears the
    labels already placed (neighbouring outliers would otherwise overprint)."""
    width = svg.label_width(unit)
    for step in range(8):
        baseline = py - 6 + 12 * step
        box = (px + 6, px + 6 + width, baseline - 10, baseline)
        if all(box[1] + GAP <= b[0] or b[1] + GAP <= box[0] or box[3] <= b[2] or b[3] <= box[2]
               for b in placed):  # fmt: skip
            break
    placed.append(box)
    return svg.text(box[0], box[3], unit, size=10, anchor="start")


def funnel_svg(rows: pd.DataFrame, label: str, unit_column: str = "trust_code") -> str:
    """The plot for one funnel (mart_funnel rows); `unit_column` names each point."""
    days = rows["denominator"].astype("float64")
    values = rows["value"].astype("float64")
    target = float(rows["target"].iloc[0])
    tau2 = float(rows["tau2"].iloc[0])
    x_hi = float(days.max()) * 1.08
    upper = float(rows["upper_998"].astype("float64").max())
    y_hi = max(1.3 * target, 1.1 * float(values.max()), 1.05 * upper, 1e-9)
    x = svg.Scale(0.0, x_hi, LEFT + 4, WIDTH - RIGHT)
    y = svg.Scale(0.0, y_hi, HEIGHT - BOTTOM, TOP)
    x_ticks = [(t, svg.number(t)) for t in svg.nice_ticks(0.0, x_hi) if t <= x_hi]
    y_ticks = [(t, svg.number(t)) for t in svg.nice_ticks(0.0, y_hi) if t <= y_hi]
    parts = [
        svg.y_axis(y, LEFT, y_ticks, WIDTH - RIGHT),
        svg.x_axis(x, HEIGHT - BOTTOM, x_ticks),
        svg.text((LEFT + WIDTH - RIGHT) / 2, HEIGHT - 6, "occupied bed days in the period", 10),
        svg.line(LEFT, y(target), WIDTH - RIGHT, y(target), TARGET, 1.4, "", "target"),
    ]
    grid = np.geomspace(max(x_hi / 400, 1.0), x_hi, 80)
    curves = limits_at(grid, target, tau2)
    for level, colour, dash in CURVES:
        for side in ("lower", "upper"):
            for run in _clipped(grid, curves[f"{side}_{level}"], x, y):
                parts.append(svg.polyline(run, colour, 1.2, dash, f"limit limit-{level}"))
    placed: list[tuple[float, float, float, float]] = []
    for record in rows.to_dict("records"):
        outlier = record["outlier"] if isinstance(record["outlier"], str) else None
        px, py = x(float(record["denominator"])), y(float(record["value"]))
        unit = str(record[unit_column])
        months = f", {record['months']} months" if int(record["months"]) < 12 else ""
        tip = (f"{unit}: {svg.number(float(record['value']))} per 1,000 OBD"
               f" ({record['numerator']} in {int(record['denominator']):,} bed days{months})"
               + (f", {outlier} outlier" if outlier else ""))  # fmt: skip
        parts.append(svg.circle(px, py, 4, COLOURS.get(outlier or "", GREY), tip, "unit"))
        if outlier:
            parts.append(_label(px, py, unit, placed))
    return svg.svg(WIDTH, HEIGHT, "".join(parts), label, "chart funnel-plot")


LEGEND: Final = (
    f'<p class="legend"><span style="color:{TARGET}">&mdash; pooled rate</span>, 95% limits'
    " (grey dashed), 99.8% limits (black); "
    f'<span style="color:{ORANGE}">&#9679; above 99.8%</span> '
    f'<span style="color:{BLUE}">&#9679; below 99.8%</span> '
    f'<span style="color:{GREY}">&#9679; within</span></p>'
)
