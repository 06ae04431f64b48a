"""Rate CIs (Byar / exact Poisson) and rate ratios (Wald / exact conditional) against scipy and
hand values. Denominators are occupied bed days; rates per 1,000 OBD."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from transforms.rates import rate_ci, rate_ratio

Z95 = 1.959963984540054


def exact_poisson(o: int, n: float, k: float = 1000.0) -> tuple[float, float]:
    low = 0.0 if o == 0 else stats.chi2.ppf(0.025, 2 * o) / 2
    high = stats.chi2.ppf(0.975, 2 * o + 2) / 2
    return low / n * k, high / n * k


def byar(o: int, n: float, k: float = 1000.0) -> tuple[float, float]:
    low = o * (1 - 1 / (9 * o) - Z95 / (3 * math.sqrt(o))) ** 3
    high = (o + 1) * (1 - 1 / (9 * (o + 1)) + Z95 / (3 * math.sqrt(o + 1))) ** 3
    return low / n * k, high / n * k


@pytest.mark.parametrize("o", [0, 4, 9])
def test_small_counts_use_exact_poisson(o: int) -> None:
    low, high = rate_ci([o], [1000])
    assert (low[0], high[0]) == pytest.approx(exact_poisson(o, 1000), rel=1e-12)


@pytest.mark.parametrize("o", [10, 11, 100])
def test_counts_of_ten_or_more_use_byar(o: int) -> None:
    low, high = rate_ci([o], [1000])
    assert (low[0], high[0]) == pytest.approx(byar(o, 1000), rel=1e-12)


def test_published_hand_values_per_1000_obd() -> None:
    low, high = rate_ci([0, 4, 9, 10, 11, 100], [1000] * 6)
    assert low == pytest.approx([0.0, 1.0899, 4.1154, 4.7874, 5.4837, 81.3621], abs=1e-4)
    assert high == pytest.approx([3.6889, 10.2416, 17.0848, 18.3915, 19.6832, 121.6279], abs=1e-4)


def test_switch_at_ten_is_between_methods() -> None:
    # 9 must not be Byar and 10 must not be exact: the methods give different numbers there.
    low, _ = rate_ci([9, 10], [1000, 1000])
    assert low[0] != pytest.approx(byar(9, 1000)[0], rel=1e-6)
    assert low[1] != pytest.approx(exact_poisson(10, 1000)[0], rel=1e-6)


def test_multiplier_and_confidence() -> None:
    low, high = rate_ci([4], [500], multiplier=100_000, confidence=0.998)
    assert low[0] == pytest.approx(stats.chi2.ppf(0.001, 8) / 2 / 500 * 100_000)
    assert high[0] == pytest.approx(stats.chi2.ppf(0.999, 10) / 2 / 500 * 100_000)


def test_undefined_denominators_give_nan() -> None:
    low, high = rate_ci([5, 5, 5, np.nan], [0, np.nan, -1, 100])
    assert np.isnan(low).all() and np.isnan(high).all()


def test_worked_rate_ratio_wald() -> None:
    # Group: 30 interventions in 1,000 OBD; White British: 20 in 2,000 OBD. RR = 0.03/0.01 = 3.
    ratio, low, high = rate_ratio([30], [1000], [20], [2000])
    spread = math.exp(Z95 * math.sqrt(1 / 30 + 1 / 20))
    assert ratio[0] == pytest.approx(3.0)
    assert (low[0], high[0]) == pytest.approx((3 / spread, 3 * spread))
    assert (low[0], high[0]) == pytest.approx((1.7037, 5.2825), abs=1e-4)


def exact_conditional(a: int, pt1: float, b: int, pt0: float) -> tuple[float, float]:
    p_low = 0.0 if a == 0 else stats.beta.ppf(0.025, a, b + 1)
    p_high = stats.beta.ppf(0.975, a + 1, b)
    return p_low / (1 - p_low) * pt0 / pt1, p_high / (1 - p_high) * pt0 / pt1


def test_small_counts_use_exact_conditional_clopper_pearson() -> None:
    ratio, low, high = rate_ratio([5], [500], [8], [1000])
    assert ratio[0] == pytest.approx(1.25)
    assert (low[0], high[0]) == pytest.approx(exact_conditional(5, 500, 8, 1000), rel=1e-12)


def test_wald_needs_both_counts_at_least_ten() -> None:
    ratio, low, high = rate_ratio([10, 10, 9], [1000] * 3, [9, 10, 10], [1000] * 3)
    assert ratio == pytest.approx([10 / 9, 1.0, 0.9])
    assert (low[0], high[0]) == pytest.approx(exact_conditional(10, 1000, 9, 1000))
    spread = math.exp(Z95 * math.sqrt(0.2))
    assert (low[1], high[1]) == pytest.approx((1 / spread, spread))
    assert (low[2], high[2]) == pytest.approx(exact_conditional(9, 1000, 10, 1000))


def test_zero_in_group_gives_zero_ratio_and_lower_limit() -> None:
    ratio, low, high = rate_ratio([0], [100], [3], [100])
    assert (ratio[0], low[0]) == (0.0, 0.0)
    assert high[0] == pytest.approx(2.41995, abs=1e-5)  # 1 − 0.025^(1/3), over 0.025^(1/3)


@pytest.mark.parametrize(
    ("a", "pt1", "b", "pt0"),
    [(0, 100, 0, 100), (4, 100, 0, 100), (4, 0, 3, 100), (4, 100, 3, 0), (4, np.nan, 3, 100)],
)
def test_undefined_ratios_are_nan(a: int, pt1: float, b: int, pt0: float) -> None:
    out = rate_ratio([a], [pt1], [b], [pt0])
    assert all(np.isnan(x[0]) for x in out)


def test_nullable_pandas_columns_are_accepted() -> None:
    count = pd.Series([4, pd.NA], dtype="Int64")
    obd = pd.Series([1000, 1000], dtype="Int64")
    low, high = rate_ci(count, obd)
    assert (low[0], high[0]) == pytest.approx(exact_poisson(4, 1000))
    assert np.isnan(low[1]) and np.isnan(high[1])
