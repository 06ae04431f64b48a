"""The comparison page and its funnel plots: the trusts per measure, then each trust's wards."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from report.funnel_chart import BOTTOM, HEIGHT, TOP, funnel_svg
from report.spc_chart import GREY, ORANGE
from report.svg import Scale
from transforms.funnel import funnel


def units() -> pd.DataFrame:
    # Fifteen trusts on 20 per 1,000 OBD and one at 60: the last is above the 99.8% limit.
    frame = pd.DataFrame({"trust_code": [f"T{i:02d}" for i in range(16)],
                          "numerator": [40] * 15 + [120], "denominator": [2000] * 16})  # fmt: skip
    return funnel(frame).assign(months=12)


def test_funnel_plot_draws_limits_target_and_flags_the_outlier_only() -> None:
    svg = funnel_svg(units(), "Rate, trusts")
    assert svg.startswith('<svg class="chart funnel-plot"')
    points = re.findall(r'<circle [^>]*fill="(#[0-9a-f]+)" class="unit"><title>([^<]*)', svg)
    assert len(points) == 16
    assert [fill for fill, _ in points] == [GREY] * 15 + [ORANGE]
    assert "T15: 60 per 1,000 OBD (120 in 2,000 bed days), high outlier" in points[-1][1]
    assert ">T15</text>" in svg and ">T00</text>" not in svg  # only outliers are labelled
    assert svg.count('class="limit limit-998"') == 2 and svg.count('class="limit limit-95"') == 2
    assert 'class="target"' in svg
    # The outlier's point is drawn above the 99.8% limit at its bed days: y grows downwards,
    # the axis runs from 0 to the largest of 1.3 x target, 1.1 x the highest rate (66) and
    # 1.05 x the highest upper limit.
    rows = units()
    top = max(1.3 * rows["target"].iloc[0], 66.0, 1.05 * rows["upper_998"].max())
    scale = Scale(0.0, float(top), HEIGHT - BOTTOM, TOP)
    y = float(re.findall(r'<circle cx="[\d.]+" cy="([\d.]+)"', svg)[-1])
    assert y == scale(60.0) and y < scale(float(rows["upper_998"].iloc[-1]))


def test_neighbouring_outliers_labels_do_not_overprint() -> None:
    codes = [f"T{i:02d}" for i in range(16)]
    frame = pd.DataFrame({"trust_code": codes, "numerator": [40] * 14 + [120, 121],
                          "denominator": [2000] * 16})  # fmt: skip
    svg = funnel_svg(funnel(frame).assign(months=12), "Rate")
    labels = re.findall(r'<text x="([\d.]+)" y="([\d.]+)"[^>]*>(T1[45])</text>', svg)
    assert len(labels) == 2
    (x1, y1, _), (x2, y2, _) = labels
    assert x1 == x2 and abs(float(y1) - float(y2)) >= 10  # the same column, a line apart


def test_a_partial_unit_says_how_many_months_it_pools() -> None:
    rows = units()
    rows.loc[0, "months"] = 9
    assert "(40 in 2,000 bed days, 9 months)" in funnel_svg(rows, "Rate")


def test_comparison_page_has_trust_and_ward_funnels(site: Path) -> None:
    html = (site / "comparison.html").read_text(encoding="utf-8")
    charts = re.findall(r'<svg class="chart funnel-plot".*?</svg>', html, flags=re.S)
    # two measures for the trusts, and for each of RX2 and RNU (two wards each); RWX has no data
    assert len(charts) == 2 + 2 * 2
    assert 'id="wards-RX2"' in html and 'id="wards-RWX"' in html
    assert "Fewer than two wards with bed days, or no events." in html  # RWX
    # RX2 over 2023-05..2024-04: 199 interventions over 13,200 OBD = 15.08 per 1,000 (as the
    # overview's twelve months).
    assert "<h2>Trusts, 2023-05..2024-04</h2>" in html
    row = re.search(r"<tr><td>RX2 Sussex Partnership</td>(.*?)</tr>", html)
    assert row and re.findall(r"<td[^>]*>(.*?)</td>", row.group(1))[:2] == ["12", "15.08"]
    index = (site / "index.html").read_text(encoding="utf-8")
    assert 'href="comparison.html"' in index


def test_labels_that_would_touch_on_one_line_are_moved_apart() -> None:
    """Two outliers a label's width apart: side by side the codes would read as one word
    ('R1FR1C', as the demo drew it), so the second goes a line down."""
    from report import svg as svg_module
    from report.funnel_chart import _label

    placed: list[tuple[float, float, float, float]] = []
    first = _label(100.0, 50.0, "R1F", placed)
    second = _label(100.0 + svg_module.label_width("R1F"), 50.0, "R1C", placed)
    y1 = float(re.search(r'y="([\d.]+)"', first).group(1))  # type: ignore[union-attr]
    y2 = float(re.search(r'y="([\d.]+)"', second).group(1))  # type: ignore[union-attr]
    assert y2 - y1 >= 10
