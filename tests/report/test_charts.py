"""SPC chart and forest plot SVG on small hand-made inputs: the marks a reader relies on."""

from __future__ import annotations

import re
from datetime import date

import pandas as pd

from report.forest import forest_svg
from report.spc_chart import BLUE, GREY, ORANGE, RED, badges, gap_months, spc_svg
from report.svg import Scale, nice_ticks, x_axis, y_axis
from tests.report.helpers import overprinted_labels
from transforms.trust_config import SpcSettings, TargetFromBaseline
from warehouse.marts.spc_mart import build_spc
from warehouse.schema import column_names, mart_trust_month

SERIES = [10.0, 12.0] * 6 + [20.0] + [9.0, 9.5] * 3 + [9.0]  # as in marts/test_spc_mart.py


def spc_rows(values: list[float]) -> pd.DataFrame:
    months = [date(2022 + i // 12, i % 12 + 1, 1) for i in range(len(values))]
    tm = pd.DataFrame(dict.fromkeys(column_names(mart_trust_month), 0), index=range(len(values)))
    tm["trust_code"], tm["reporting_month"] = "RX2", months
    tm["completeness"] = "complete"
    tm["interventions_per_1000_obd"] = values
    target = TargetFromBaseline(reduce_by=0.25, baseline="2022-01..2022-12")
    spc = build_spc(tm, {}, SpcSettings(target=target))
    return spc[spc["measure"] == "interventions_per_1000_obd"]


def fills(svg: str) -> list[str]:
    return re.findall(r'<circle [^>]*fill="(#[0-9a-f]+)" class="point"', svg)


def test_points_coloured_by_point_type_with_limits_mean_and_target() -> None:
    rows = spc_rows(SERIES)
    svg = spc_svg(rows, "Rate, RX2")
    # Without a baseline: mean 10.875, MR-bar 29/19; 20 is above the limit (concern) and the
    # last seven points below the mean (improvement); the base is common cause.
    assert fills(svg) == [GREY] * 12 + [ORANGE] + [BLUE] * 7
    assert svg.count('class="mean"') == 1 and svg.count('class="limit"') == 2
    assert svg.count('class="sigma"') == 2 and f'stroke="{RED}"' in svg
    assert 'class="axis x-axis"' in svg and 'class="axis y-axis"' in svg
    assert "2022-01" in svg and "<title>2023-01: 20, outside_limits</title>" in svg
    assert "Special cause improvement (lower)" in badges(rows)
    assert "Target hit or miss" in badges(rows)


def test_run_chart_has_no_limits_target_or_icons() -> None:
    rows = spc_rows([10.0, 12.0] * 5)
    svg = spc_svg(rows, "Rate, RX2")
    assert fills(svg) == [GREY] * 10
    assert 'class="limit"' not in svg and 'class="target"' not in svg
    assert svg.count('class="mean"') == 1
    assert "Run chart" in badges(rows)


def test_forest_plot_log_scale_reference_line_and_statuses() -> None:
    rows = pd.DataFrame({
        "category_label": ["White", "Black", "Asian", "Not stated"],
        "status": ["reference", "shown", "suppressed", "not_compared"],
        "rate_ratio": [1.0, 2.5, None, None], "ci_lower": [None, 1.6, None, None],
        "ci_upper": [None, 4.0, None, None],
    })  # fmt: skip
    svg = forest_svg(rows, "Ethnic group")
    scale = Scale(0.5 / 1.15, 4.0 * 1.15, 180, 470, log=True)
    assert f'<line x1="{scale(1.0)}" y1="6" x2="{scale(1.0)}"' in svg  # reference line at 1
    assert f'<circle cx="{scale(2.5)}"' in svg
    assert f'x1="{scale(1.6)}"' in svg and f'x2="{scale(4.0)}"' in svg  # the CI
    assert "2.50 (1.60-4.00)" in svg and "suppressed (small numbers)" in svg
    assert "not compared" in svg and "reference (1)" in svg


def test_forest_log_axis_labels_never_overprint() -> None:
    # Ratios from 0.06 to 15: 0.2 and 0.25 are 11 px apart on this log axis, 0.05 and 0.1 too
    # close for their labels as well; the axis keeps 1 and drops what would overprint.
    rows = pd.DataFrame({
        "category_label": ["White", "Black", "Asian"], "status": ["reference", "shown", "shown"],
        "rate_ratio": [1.0, 0.08, 12.0], "ci_lower": [None, 0.06, 8.0],
        "ci_upper": [None, 0.12, 15.0],
    })  # fmt: skip
    svg = forest_svg(rows, "Age band")
    assert overprinted_labels(svg) == []
    labels = re.findall(r">([\d.]+)</text>", re.findall(r'class="axis x-axis">(.*?)</g>', svg)[0])
    assert "1" in labels and len(labels) >= 4


def test_crowded_ticks_are_thinned_on_both_axes() -> None:
    x = Scale(0, 100, 0, 100)
    crowded = [(float(v), f"{v:.2f}") for v in range(0, 101, 5)]  # 5 px apart, 4-char labels
    assert overprinted_labels(x_axis(x, 50, crowded)) == []
    assert overprinted_labels(y_axis(Scale(0, 100, 100, 0), 40, crowded, 200)) == []
    # The first listed tick always stays; ones far enough apart all stay.
    kept = re.findall(r">([\d.]+)</text>", x_axis(x, 50, crowded))
    assert kept[0] == "0.00" and len(kept) >= 3
    roomy = [(0.0, "0"), (50.0, "50"), (100.0, "100")]
    assert re.findall(r">(\d+)</text>", x_axis(x, 50, roomy)) == ["0", "50", "100"]


def test_scale_and_ticks() -> None:
    assert Scale(1, 100, 0, 200, log=True)(10) == 100.0
    assert Scale(0, 10, 100, 0)(2.5) == 75.0
    assert nice_ticks(0, 9.5) == [0, 2, 4, 6, 8]
    assert nice_ticks(3.2, 17) == [5, 10, 15]


def test_an_incomplete_month_is_a_marked_gap_with_its_reason_not_a_point() -> None:
    """Issue 12: a month whose interventions file was rejected is ghosted in mart_spc; the
    chart keeps its place on the month axis, breaks the line there and says why."""
    rows = spc_rows(SERIES).reset_index(drop=True)
    rows = rows.drop(index=5)  # 2022-06 left out of the series
    tm = pd.DataFrame({"trust_code": ["RX2", "RX2"], "reporting_month": [date(2022, 6, 1),
                       date(2022, 7, 1)], "completeness": ["no_interventions_file", "complete"],
                       "trusts_included": [None, None]})  # fmt: skip
    gaps = gap_months(tm, "RX2")
    assert gaps == {"2022-06": "no interventions file loaded"}
    svg = spc_svg(rows, "Rate, RX2", gaps)
    assert svg.count('class="gap"') == 1
    assert "2022-06: not charted, no interventions file loaded" in svg
    assert svg.count('class="values"') == 2  # the line breaks at the gap
    assert len(fills(svg)) == len(rows)  # no point drawn for the gap month


def test_a_series_with_no_value_draws_nothing_and_does_not_fail() -> None:
    """A month whose file was not scored (rejected, or a dataset not sent) has no DQMI; a
    trust with only such months gets no chart rather than a crash of the whole report."""
    from report.quality import score_chart

    missing = pd.DataFrame({"reporting_month": [pd.Timestamp("2024-01-01")], "dqmi": [None]})
    assert score_chart(missing, "DQMI") == ""
    one = pd.DataFrame({"reporting_month": [pd.Timestamp("2024-01-01")], "dqmi": [80.0]})
    assert "<svg" in score_chart(one, "DQMI")
