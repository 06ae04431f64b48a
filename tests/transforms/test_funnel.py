"""Funnel limits against hand-worked arithmetic from the formulas (domain.md §4.8).

Case 1 (no overdispersion): three units on the pooled rate, so every z is 0, φ = 0, τ² = 0 and
the limits are exact Poisson. Case 2 (overdispersion): four units with equal bed days and
widely spread counts; every step is written out below.
"""

from __future__ import annotations

import math

import pandas as pd
import pytest
from scipy import stats

from transforms.funnel import funnel, tau_squared, winsorised


def units(numerators: list[int], denominators: list[int]) -> pd.DataFrame:
    return pd.DataFrame(
        {"unit": [f"U{i}" for i in range(len(numerators))], "numerator": numerators,
         "denominator": denominators}
    )  # fmt: skip


def test_on_the_pooled_rate_tau2_is_zero_and_limits_are_exact_poisson() -> None:
    # O = 10, 20, 30 over D = 1000, 2000, 3000: θ = 60/6000 = 0.01 = 10 per 1,000 OBD,
    # E = 10, 20, 30 = O, so z = 2(√O − √E) = 0 for each, φ = 0, nφ = 0 ≤ n − 1 = 2: τ² = 0.
    out = funnel(units([10, 20, 30], [1000, 2000, 3000]))
    assert out["tau2"].tolist() == [0.0, 0.0, 0.0]
    assert out["target"].tolist() == pytest.approx([10.0] * 3)
    first = out.iloc[0]
    # Unit 1, E = 10. Chi-square table: χ²(0.025; 20) = 9.59078, χ²(0.975; 22) = 36.78071,
    # χ²(0.001; 20) = 5.92104, χ²(0.999; 22) = 48.26794. Ratio limits: lower χ²_p(2E) / 2E,
    # upper χ²_{1−p}(2E + 2) / 2E; × θ × 1000 = × 10.
    assert first["lower_95"] == pytest.approx(9.59078 / 20 * 10, rel=1e-5)  # 4.7954
    assert first["upper_95"] == pytest.approx(36.78071 / 20 * 10, rel=1e-5)  # 18.3904
    assert first["lower_998"] == pytest.approx(5.92104 / 20 * 10, rel=1e-5)  # 2.9605
    assert first["upper_998"] == pytest.approx(48.26794 / 20 * 10, rel=1e-5)  # 24.1340
    # The same limits from the Poisson distribution itself: the lower limit λ has
    # P(X ≥ 10 | λ) = 2.5%, the upper P(X ≤ 10 | λ) = 2.5% (λ = ratio × E).
    assert stats.poisson.sf(9, first["lower_95"] / 10 * 10) == pytest.approx(0.025, rel=1e-6)
    assert stats.poisson.cdf(10, first["upper_95"] / 10 * 10) == pytest.approx(0.025, rel=1e-6)
    assert out["outlier"].isna().all()
    # A bigger unit has narrower limits around the same target.
    assert out["upper_998"].is_monotonic_decreasing and out["lower_998"].is_monotonic_increasing


def test_overdispersion_widens_the_limits_by_the_random_effect() -> None:
    # O = 10, 30, 50, 70 over 1000 bed days each: θ = 160/4000 = 0.04 (40 per 1,000), E = 40.
    # z = 2(√O − √40): √10 = 3.162278, √30 = 5.477226, √50 = 7.071068, √70 = 8.366600,
    # √40 = 6.324555 → z = −6.324555, −1.694659, 1.493025, 4.084090.
    z = [2 * (math.sqrt(o) - math.sqrt(40)) for o in (10, 30, 50, 70)]
    assert z == pytest.approx([-6.324555, -1.694659, 1.493025, 4.084090], abs=1e-6)
    # 10th percentile (R type 7): h = 3 × 0.1 = 0.3 → −6.324555 + 0.3 × 4.629896 = −4.935587;
    # 90th: h = 2.7 → 1.493025 + 0.7 × 2.591065 = 3.306770.
    wz = [-4.935587, -1.694659, 1.493025, 3.306770]
    assert list(winsorised(pd.Series(z).to_numpy())) == pytest.approx(wz, abs=1e-6)
    # φ = mean(Wz²) = (24.360015 + 2.871871 + 2.229124 + 10.934731) / 4 = 10.098935;
    # nφ = 40.395740 > n − 1 = 3. w = 4E = 160 each: Σw = 640, Σw²/Σw = 160, so
    # τ² = (40.395740 − 3) / (640 − 160) = 0.077908.
    tau2 = (sum(v * v for v in wz) - 3) / (640 - 160)
    assert tau2 == pytest.approx(0.077908, abs=1e-6)
    out = funnel(units([10, 30, 50, 70], [1000] * 4))
    assert out["tau2"].iloc[0] == pytest.approx(tau2, rel=1e-5)
    # sd = √(1/(4E) + τ²) = √(0.00625 + 0.077908) = 0.290100;
    # 99.8%: (1 ± 3.090232 × 0.290100)² = 1.896476² = 3.596618 and 0.103524² = 0.010717,
    # × 40 → 143.8647 and 0.42870; 95%: (1 ± 1.959964 × 0.290100)² = 2.460458 / 0.186119,
    # × 40 → 98.4183 and 7.4448.
    sd = math.sqrt(1 / 160 + tau2)
    row = out.iloc[0]
    assert row["upper_998"] == pytest.approx((1 + 3.090232 * sd) ** 2 * 40, rel=1e-5)
    assert row["upper_998"] == pytest.approx(143.8647, rel=1e-5)
    assert row["lower_998"] == pytest.approx(0.42870, rel=1e-4)
    assert row["upper_95"] == pytest.approx(98.4183, rel=1e-5)
    assert row["lower_95"] == pytest.approx(7.4448, rel=1e-4)
    # Without the random effect the 10-per-1,000 unit would be a low outlier (Poisson 99.8%
    # lower limit for E = 40 is χ²(0.001; 80) / 80 × 40 = 46.52 / 2 = 23.26); with it, none is.
    assert out["outlier"].isna().all()
    poisson_lower = stats.chi2.ppf(0.001, 80) / 80 * 40
    assert poisson_lower > 10


def test_outliers_are_flagged_high_and_low_at_99_8() -> None:
    # Fifteen units on 20 per 1,000 and one at 60: too few spread units for τ² to hide it.
    numerators = [40] * 15 + [120]
    out = funnel(units(numerators, [2000] * 16))
    assert out["outlier"].fillna("").tolist() == [""] * 15 + ["high"]
    low = funnel(units([40] * 15 + [2], [2000] * 16))
    assert low["outlier"].tolist()[-1] == "low"


def test_units_without_bed_days_are_left_out_and_no_events_gives_no_limits() -> None:
    out = funnel(units([3, 5], [0, 1000]))
    assert out["unit"].tolist() == ["U1"]
    assert out["tau2"].tolist() == [0.0]  # one unit: nothing to estimate τ² from
    none = funnel(units([0, 0], [500, 1000]))
    assert none["value"].tolist() == [0.0, 0.0]
    assert none["upper_998"].isna().all() and none["outlier"].isna().all()


def test_tau2_is_zero_when_dispersion_does_not_exceed_its_expectation() -> None:
    # O = 9, 11 with E = 10 each: z = 2(3 − 3.162278), 2(3.316625 − 3.162278) = −0.324555, 0.308694;
    # φ = (0.105336 + 0.095292) / 2 = 0.100314, nφ = 0.200628 ≤ n − 1 = 1.
    assert tau_squared(pd.Series([9.0, 11.0]).to_numpy(), pd.Series([10.0, 10.0]).to_numpy()) == 0
