"""Funnel-plot limits for rates per 1,000 bed days (domain.md §4.8): pure, one comparison at a time.

Input: one row per unit (a trust, or a ward of one trust) with `numerator` (events) and
`denominator` (occupied bed days) pooled over the period. Each unit is compared with the pooled
rate of all the units given, as an indirectly standardised ratio (Spiegelhalter 2005; FunnelPlotR
`data_type = "SR"`, `sr_method = "CQC"`: square-root scale, Winsorised z-scores):

- target θ = ΣO / ΣD; expected E_i = θ·D_i; ratio SR_i = O_i / E_i;
- z_i = (√SR_i − 1) / s_i with s_i = 1 / (2√E_i), i.e. z_i = 2(√O_i − √E_i);
- z Winsorised at its 10th and 90th percentiles (linear interpolation, R's default quantile);
- dispersion φ = (1/n) Σ Wz_i²; τ² = 0 when nφ ≤ n − 1 (the statistic does not exceed its
  expectation), else τ² = (nφ − (n − 1)) / (Σw_i − Σw_i² / Σw_i) with w_i = 1 / s_i²
  (DerSimonian–Laird);
- τ² = 0: exact Poisson limits, ratio χ²_{p}(2E) / 2E (lower) and χ²_{1−p}(2E + 2) / 2E (upper);
- τ² > 0: (1 ± z·√(s_i² + τ²))², the lower limit 0 when 1 − z·√(...) < 0;
- limits at 95% (z 1.959964, p 0.025) and 99.8% (z 3.090232, p 0.001), as rates: θ × ratio × 1000;
- outlier `high` above the 99.8% upper limit, `low` below the 99.8% lower limit.

A unit with no bed days has no rate and is left out (before θ and τ²). With fewer than two units
τ² is 0 (nothing to estimate it from); with no event at all (θ = 0) there are no limits.
"""

from __future__ import annotations

import math
from typing import Final

import numpy as np
import pandas as pd
from scipy import stats

PER: Final = 1000.0
TRIM: Final = 0.1  # FunnelPlotR's trim_by default: 10% at each tail
Z: Final = {"95": 1.959964, "998": 3.090232}
TAIL: Final = {"95": 0.025, "998": 0.001}
LIMIT_COLUMNS: Final = ["lower_95", "upper_95", "lower_998", "upper_998"]
OUT_COLUMNS: Final = ["value", "target", *LIMIT_COLUMNS, "tau2", "outlier"]


def winsorised(z: np.ndarray, trim: float = TRIM) -> np.ndarray:
    """z clipped to its `trim` and 1 − `trim` quantiles (numpy's linear = R's type 7)."""
    lo, hi = np.quantile(z, [trim, 1.0 - trim])
    return np.clip(z, lo, hi)


def tau_squared(observed: np.ndarray, expected: np.ndarray, trim: float = TRIM) -> float:
    """DerSimonian–Laird between-unit variance on the square-root scale (0: none)."""
    n = len(observed)
    if n < 2:
        return 0.0
    z = 2.0 * (np.sqrt(observed) - np.sqrt(expected))
    phi = float(np.mean(winsorised(z, trim) ** 2))
    if n * phi <= n - 1:
        return 0.0
    w = 4.0 * expected  # 1 / s², s = 1 / (2√E)
    spread = float(w.sum() - (w**2).sum() / w.sum())
    return 0.0 if spread <= 0 else max(0.0, (n * phi - (n - 1)) / spread)


def exact_poisson(expected: float, tail: float) -> tuple[float, float]:
    """(lower, upper) ratio limits around 1 for an expected count, exact Poisson (χ² form)."""
    lower = stats.chi2.ppf(tail, 2.0 * expected) / (2.0 * expected)
    upper = stats.chi2.ppf(1.0 - tail, 2.0 * expected + 2.0) / (2.0 * expected)
    return float(lower), float(upper)


def overdispersed(expected: float, tau2: float, z: float) -> tuple[float, float]:
    """(lower, upper) ratio limits on the square-root scale with the random effect τ²."""
    spread = z * math.sqrt(1.0 / (4.0 * expected) + tau2)
    return max(0.0, 1.0 - spread) ** 2, (1.0 + spread) ** 2


def limits_at(
    denominators: np.ndarray, target: float, tau2: float, per: float = PER
) -> dict[str, np.ndarray]:
    """LIMIT_COLUMNS (rates per `per`) at each denominator around `target` (a rate per `per`):
    the funnel's curves, for a unit's own bed days or any others (NaN when `target` is 0)."""
    theta = target / per
    limits: dict[str, list[float]] = {c: [] for c in LIMIT_COLUMNS}
    for d in denominators:
        expected = theta * float(d)
        for level in ("95", "998"):
            if theta <= 0 or expected <= 0:
                low, high = math.nan, math.nan
            elif tau2 == 0:
                low, high = exact_poisson(expected, TAIL[level])
            else:
                low, high = overdispersed(expected, tau2, Z[level])
            limits[f"lower_{level}"].append(low * target)
            limits[f"upper_{level}"].append(high * target)
    return {c: np.asarray(v, dtype="float64") for c, v in limits.items()}


def funnel_arrays(
    observed: np.ndarray, days: np.ndarray, per: float = PER, trim: float = TRIM
) -> dict[str, np.ndarray]:
    """OUT_COLUMNS for units with events `observed` over bed days `days` (all > 0), as arrays."""
    observed, days = observed.astype("float64"), days.astype("float64")
    theta = float(observed.sum() / days.sum())
    tau2 = tau_squared(observed, theta * days, trim) if theta > 0 else 0.0
    value = observed / days * per
    limits = limits_at(days, theta * per, tau2, per)
    flags = [
        "high" if v > hi else "low" if v < lo else None
        for v, lo, hi in zip(value, limits["lower_998"], limits["upper_998"], strict=True)
    ]
    return {"value": value, "target": np.full(len(days), theta * per), **limits,
            "tau2": np.full(len(days), tau2), "outlier": np.array(flags, dtype=object)}  # fmt: skip


def funnel(units: pd.DataFrame, per: float = PER, trim: float = TRIM) -> pd.DataFrame:
    """`units` (numerator, denominator and any key columns) with OUT_COLUMNS added; units
    without bed days are dropped. `value` and the limits are per `per` bed days."""
    rows = units[pd.to_numeric(units["denominator"], errors="coerce").fillna(0) > 0]
    if rows.empty:
        return rows.assign(**{c: pd.Series(dtype="float64") for c in OUT_COLUMNS})
    added = funnel_arrays(rows["numerator"].to_numpy(), rows["denominator"].to_numpy(), per, trim)
    return pd.concat([rows, pd.DataFrame(added, index=rows.index)], axis=1)
