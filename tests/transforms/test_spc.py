"""Making Data Count XmR rules on series worked out by hand (domain.md §4.2–4.5).

Most series are built from an alternating base (e.g. 8, 4, 8, 4, ...) that crosses the mean on
every point, so it triggers nothing, followed by the pattern under test. The comment above each
series gives the mean, MR̄ and the lines that matter.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from transforms.spc import (
    NHSE_SQL_V2_6,
    NHSRPLOTTHEDOTS,
    PROFILES,
    assurance_icon,
    variation_icon,
    xmr,
)


def flagged(df: pd.DataFrame, column: str) -> list[int]:
    return [int(i) for i in np.flatnonzero(df[column].to_numpy(dtype=bool))]


def test_limit_arithmetic_on_a_short_series() -> None:
    df = xmr([10, 12, 11, 15, 13], minimum_points=5)
    # MR = 2, 1, 4, 2 → MR̄ = 2.25; mean = 61/5 = 12.2
    assert df["mr"].iloc[0] != df["mr"].iloc[0]  # NaN for the first point
    assert df["mr"].iloc[1:].tolist() == [2, 1, 4, 2]
    assert df["mean"].iloc[0] == pytest.approx(12.2)
    assert df["mr_bar"].iloc[0] == pytest.approx(2.25)
    assert df["upper_limit"].iloc[0] == pytest.approx(12.2 + 2.66 * 2.25)  # 18.185
    assert df["lower_limit"].iloc[0] == pytest.approx(6.215)
    assert df["upper_2sigma"].iloc[0] == pytest.approx(12.2 + 2.66 * 2 / 3 * 2.25)  # 16.19
    assert df["lower_2sigma"].iloc[0] == pytest.approx(8.21)
    assert not df["special_cause"].any()
    assert df["point_type"].tolist() == ["common_cause"] * 5


def test_fewer_than_minimum_points_is_a_run_chart() -> None:
    """SQL v2.6 shows SPC from 13 points, NHSRplotthedots / SQL v2.4 from 15 (issue 12: the
    default was 15)."""
    values = [4, 8] * 6  # 12 points
    df = xmr([*values[:-1], 40])
    assert df["upper_limit"].isna().all() and df["lower_2sigma"].isna().all()
    assert df["mean"].iloc[0] == pytest.approx((4 * 6 + 8 * 5 + 40) / 12)
    assert not df["special_cause"].any()
    assert df["point_type"].isna().all() and df["signal"].isna().all()
    assert variation_icon(df, "down") is None
    assert assurance_icon(df, 1.0, "down") is None
    assert not xmr([*values, 40])["upper_limit"].isna().any()  # 13 points: SPC under v2.6
    fourteen = [4, 8] * 7
    assert xmr(fourteen, profile=NHSRPLOTTHEDOTS)["upper_limit"].isna().all()
    assert not xmr([*fourteen, 40], profile=NHSRPLOTTHEDOTS)["upper_limit"].isna().any()


def test_profiles_are_the_published_defaults() -> None:
    assert PROFILES["nhse_sql_v2_6"] is NHSE_SQL_V2_6
    v26, ptd = NHSE_SQL_V2_6, NHSRPLOTTHEDOTS
    assert (v26.shift_points, v26.trend_points, v26.minimum_points) == (6, 6, 13)
    assert (ptd.shift_points, ptd.trend_points, ptd.minimum_points) == (7, 7, 15)
    assert v26.partition_warning_points == 12 and v26.beyond_limits_count_in_two_in_three
    assert not ptd.beyond_limits_count_in_two_in_three


def test_a_partition_of_fewer_than_12_points_is_flagged_as_trial_limits() -> None:
    df = xmr([4, 8] * 10, recalculate_at=[9])  # partitions of 9 and 11 points
    assert df["partition_warning"].tolist() == [True] * 20
    df = xmr([4, 8] * 12, recalculate_at=[12])  # 12 and 12
    assert not df["partition_warning"].any()
    assert xmr([4, 8] * 12, baseline_points=6)["partition_warning"].all()  # a short baseline


# 14-point baseline alternating 10, 12: mean 11, MR̄ 2, limits 11 ± 5.32 = 5.68 / 16.32,
# 2σ lines 11 ± 3.5467 = 7.4533 / 14.5467.
BASE = [10, 12] * 7


def test_single_point_above_the_limit_with_a_baseline() -> None:
    df = xmr([*BASE, 30], baseline_points=14)
    assert df["mean"].tolist() == [11.0] * 15
    assert df["mr_bar"].tolist() == [2.0] * 15
    assert df["upper_limit"].iloc[-1] == pytest.approx(16.32)
    assert flagged(df, "rule_outside_limits") == [14]
    assert flagged(df, "special_cause") == [14]
    assert df["signal"].iloc[14] == "outside_limits"
    assert df["point_type"].iloc[14] == "special_cause_concern"
    assert variation_icon(df, "down") == "concern_high"
    up = xmr([*BASE, 30], baseline_points=14, improvement="up")
    assert up["point_type"].iloc[14] == "special_cause_improvement"
    assert variation_icon(up, "up") == "improvement_high"
    neither = xmr([*BASE, 30], baseline_points=14, improvement="neither")
    assert neither["point_type"].iloc[14] == "special_cause_neutral_high"
    assert variation_icon(neither, "neither") == "neutral_high"


def test_single_point_below_the_limit_is_improvement_when_down() -> None:
    df = xmr([*BASE, 0], baseline_points=14)
    assert flagged(df, "rule_outside_limits") == [14]
    assert df["point_type"].iloc[14] == "special_cause_improvement"
    assert variation_icon(df, "down") == "improvement_low"
    assert variation_icon(xmr([*BASE, 0], baseline_points=14, improvement="up"), "up") == (
        "concern_low"
    )


def test_shift_of_seven_above_the_mean() -> None:
    # mean 97/15 = 6.467, MR̄ 31/14 = 2.214: 2σ lines 2.54 / 10.39, nothing beyond them.
    for profile in (NHSE_SQL_V2_6, NHSRPLOTTHEDOTS):
        df = xmr([8, 4, 8, 4, 8, 4, 8, 4] + [7] * 7, profile=profile)
        assert flagged(df, "rule_shift") == list(range(8, 15))
        assert flagged(df, "special_cause") == list(range(8, 15))
        assert set(df["signal"].iloc[8:]) == {"shift"}
        assert set(df["point_type"].iloc[8:]) == {"special_cause_concern"}
        assert df["point_type"].iloc[:8].tolist() == ["common_cause"] * 8


def test_six_points_above_the_mean_are_a_shift_under_v2_6_only() -> None:
    """Hand-worked: mean 94/15 = 6.267, MR̄ 35/14 = 2.5 (2σ 1.83 / 10.70, nothing beyond); the
    point before the six sevens (4) is below the mean, so the run above it is exactly six."""
    values = [4, 8, 4, 8, 4, 8, 4, 8, 4] + [7] * 6
    default = xmr(values)
    assert flagged(default, "rule_shift") == list(range(9, 15))
    assert set(default["signal"].iloc[9:]) == {"shift"}
    assert default["point_type"].iloc[:9].tolist() == ["common_cause"] * 9
    assert not xmr(values, profile=NHSRPLOTTHEDOTS)["special_cause"].any()
    assert not xmr([4, 8, 4, 8, 4, 8, 4, 8, 4, 8, 4] + [7] * 5)["special_cause"].any()  # five


def test_point_exactly_on_the_mean_breaks_a_shift() -> None:
    # sum 42 + 48 = 90 → mean exactly 6; index 11 (value 6) sits on it: runs of 3 and 3.
    on_mean = [2, 10, 2, 10, 2, 10, 2, 4, 7, 7, 7, 6, 7, 7, 7]
    df = xmr(on_mean)
    assert df["mean"].iloc[0] == 6.0
    assert not df["special_cause"].any()
    # Same series with 7 in place of the 6: mean 91/15, seven points above → shift.
    above = [*on_mean[:11], 7, *on_mean[12:]]
    assert flagged(xmr(above), "rule_shift") == list(range(8, 15))
    assert flagged(xmr(above, profile=NHSRPLOTTHEDOTS), "rule_shift") == list(range(8, 15))


def test_decreasing_trend_of_seven_points() -> None:
    # mean 90/15 = 6, MR̄ 35/14 = 2.5 (2σ 1.567 / 10.433); 8 → 9 rises, then 6 strict falls.
    for profile in (NHSE_SQL_V2_6, NHSRPLOTTHEDOTS):
        df = xmr([4, 8, 4, 8, 4, 8, 4, 8, 9, 8, 7, 6, 5, 4, 3], profile=profile)
        assert flagged(df, "rule_trend") == list(range(8, 15))
        assert flagged(df, "special_cause") == list(range(8, 15))
        assert set(df["signal"].iloc[8:]) == {"trend"}
        assert set(df["point_type"].iloc[8:]) == {"special_cause_improvement"}
        assert variation_icon(df, "down") == "improvement_low"


def test_equal_consecutive_values_break_a_trend() -> None:
    df = xmr([4, 8, 4, 8, 4, 8, 4, 8, 9, 8, 7, 7, 5, 4, 3])
    assert not df["special_cause"].any()


def test_six_point_trend_is_flagged_under_v2_6_only() -> None:
    """Hand-worked: 4 → 9 rises, then 9, 8, 7, 6, 5, 3: six points (endpoints included), five
    falls. Mean 90/15 = 6, MR̄ 43/14 = 3.07 (2σ 0.55 / 11.45: nothing beyond); 9, 8, 7 are
    above the mean and 6 is on it, so no shift."""
    values = [4, 8, 4, 8, 4, 8, 4, 8, 4, 9, 8, 7, 6, 5, 3]
    default = xmr(values)
    assert flagged(default, "rule_trend") == list(range(9, 15))
    assert flagged(default, "special_cause") == list(range(9, 15))
    assert set(default["point_type"].iloc[9:]) == {"special_cause_improvement"}
    assert not xmr(values, profile=NHSRPLOTTHEDOTS)["special_cause"].any()
    five = [4, 8, 4, 8, 4, 8, 4, 8, 4, 8, 4, 9, 8, 7, 6]  # 9, 8, 7, 6: four points
    assert not xmr(five)["rule_trend"].any()


def test_trend_is_evaluated_across_partitions() -> None:
    # Partition 0: indexes 0-10 (mean 72/11); partition 1: 6, 5, 4, 3 (mean 4.5, MR̄ 1).
    df = xmr([4, 8, 4, 8, 4, 8, 4, 8, 9, 8, 7, 6, 5, 4, 3], recalculate_at=[11])
    assert df["partition"].tolist() == [0] * 11 + [1] * 4
    assert df["mean"].iloc[11] == 4.5 and df["mr_bar"].iloc[11] == 1.0
    assert flagged(df, "rule_trend") == list(range(8, 15))
    assert flagged(df, "special_cause") == list(range(8, 15))


def test_two_in_three_flags_the_points_beyond_two_sigma() -> None:
    # 15 and 15 beyond the upper 2σ line 14.5467 (below the limit 16.32); 12 above the mean.
    df = xmr([*BASE, 15, 12, 15], baseline_points=14)
    assert flagged(df, "rule_two_in_three") == [14, 16]
    assert flagged(df, "special_cause") == [14, 16]
    assert df["signal"].iloc[14] == "two_in_three"
    assert variation_icon(df, "down") == "concern_high"


def test_two_in_three_needs_all_three_on_the_same_side_of_the_mean() -> None:
    df = xmr([*BASE, 15, 10, 15], baseline_points=14)
    assert not df["special_cause"].any()


def test_point_beyond_the_limit_counts_for_two_in_three() -> None:
    df = xmr([*BASE, 17, 12, 15], baseline_points=14)
    assert flagged(df, "rule_outside_limits") == [14]
    assert flagged(df, "rule_two_in_three") == [14, 16]
    assert df["signal"].iloc[[14, 16]].tolist() == ["outside_limits", "two_in_three"]
    # NHSRplotthedots counts only points "close to" the limits: 17 is beyond, 15 alone is not 2
    ptd = xmr([*BASE, 17, 12, 15], baseline_points=14, profile=NHSRPLOTTHEDOTS)
    assert flagged(ptd, "rule_outside_limits") == [14]
    assert not ptd["rule_two_in_three"].any()


# Baseline alternating 12, 10 (mean 11, MR̄ 2) then seven points above the mean that fall:
# a shift above (high side) and a decreasing trend (low side) on the same seven points.
CONFLICT = [12, 10] * 7 + [14.5, 14, 13.5, 13, 12.5, 12, 11.5]


def test_conflicting_sides_resolve_to_improvement() -> None:
    down = xmr(CONFLICT, baseline_points=14)
    assert flagged(down, "rule_shift") == list(range(14, 21))
    assert flagged(down, "rule_trend") == list(range(14, 21))
    assert flagged(down, "rule_two_in_three") == []  # 14.5 is inside the 2σ line 14.5467
    assert set(down["point_type"].iloc[14:]) == {"special_cause_improvement"}
    assert set(down["signal"].iloc[14:]) == {"trend"}  # the improvement side's rule
    assert variation_icon(down, "down") == "improvement_low"
    up = xmr(CONFLICT, baseline_points=14, improvement="up")
    assert set(up["point_type"].iloc[14:]) == {"special_cause_improvement"}
    assert set(up["signal"].iloc[14:]) == {"shift"}
    assert variation_icon(up, "up") == "improvement_high"


def test_recalculation_gives_each_partition_its_own_mean_and_limits() -> None:
    values = [10, 12] * 5 + [20, 22] * 5
    df = xmr(values, recalculate_at=[10])
    assert df["mean"].tolist() == [11.0] * 10 + [21.0] * 10
    assert df["mr_bar"].tolist() == [2.0] * 20
    assert math.isnan(df["mr"].iloc[10])
    assert df["upper_limit"].iloc[0] == pytest.approx(16.32)
    assert df["upper_limit"].iloc[10] == pytest.approx(26.32)
    assert df["lower_limit"].iloc[10] == pytest.approx(15.68)
    assert not df["special_cause"].any()
    # One partition: mean 16, the first ten below it and the last ten above → two shifts.
    assert xmr(values)["rule_shift"].all()


@pytest.mark.parametrize(
    ("target", "down", "up"),
    [
        (20.0, "pass", "fail"),
        (10.0, "hit_or_miss", "hit_or_miss"),
        (3.0, "fail", "pass"),
    ],
)
def test_assurance_icon_against_latest_limits(target: float, down: str, up: str) -> None:
    df = xmr([*BASE, 11], baseline_points=14)  # limits 5.68 / 16.32
    assert assurance_icon(df, target, "down") == down
    assert assurance_icon(df, target, "up") == up


def test_target_exactly_on_a_limit_is_pass_or_fail() -> None:
    df = xmr([*BASE, 11], baseline_points=14)
    upper, lower = float(df["upper_limit"].iloc[-1]), float(df["lower_limit"].iloc[-1])
    assert assurance_icon(df, upper, "down") == "pass"
    assert assurance_icon(df, lower, "down") == "fail"
    assert assurance_icon(df, upper, "up") == "fail"
    assert assurance_icon(df, None, "down") is None
    assert assurance_icon(df, upper, "neither") is None
    assert variation_icon(df, "down") == "common_cause"


def test_target_column_and_bad_input() -> None:
    assert xmr([*BASE, 11], target=9.5)["target"].tolist() == [9.5] * 15
    with pytest.raises(ValueError, match="finite"):
        xmr([1.0, float("nan")])
    with pytest.raises(ValueError, match="recalculate_at"):
        xmr([1.0, 2.0, 3.0], recalculate_at=[3])
