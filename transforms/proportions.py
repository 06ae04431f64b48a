"""Proportions with Wilson score intervals (domain.md §5.3): the people-based equity measure.

Grain: element-wise, one proportion per (numerator, denominator) pair. The interval is the
Wilson score interval without continuity correction, the one OHID's Fingertips methods use for
proportions (PHEindicatormethods' `wilson_lower`/`wilson_upper`), in the form of Newcombe (1998)
that `scipy.stats.binomtest(k, n).proportion_ci(method="wilson")` computes, with its two ends
pinned: 0 when k = 0 and 1 when k = n. It is written out over arrays here because `binomtest`
first finds the test's p-value by a search over the binomial distribution, which is all of its
cost and not needed for the interval (tests/transforms/test_proportions.py compares the two).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.special import ndtri


def wilson(
    people: pd.Series, inpatients: pd.Series, confidence: float = 0.95, per: float = 100.0
) -> tuple[pd.Series, pd.Series, pd.Series]:
    """(people / inpatients x per, lower, upper); NaN where the denominator is missing or 0, or
    the numerator is missing or larger than it (categories recorded differently in the files)."""
    k = pd.to_numeric(people, errors="coerce").astype("float64").to_numpy()
    n = pd.to_numeric(inpatients, errors="coerce").astype("float64").to_numpy()
    usable = np.isfinite(k) & np.isfinite(n) & (n > 0) & (k >= 0) & (k <= n)
    value = np.where(usable, k / np.where(usable, n, 1.0) * per, np.nan)
    low, high = wilson_interval(np.where(usable, np.floor(k), np.nan),
                                np.where(usable, np.floor(n), np.nan), confidence)  # fmt: skip
    index = people.index
    return pd.Series(value, index), pd.Series(low * per, index), pd.Series(high * per, index)


def wilson_interval(
    k: np.ndarray, n: np.ndarray, confidence: float = 0.95
) -> tuple[np.ndarray, np.ndarray]:
    """Two-sided Wilson score limits of k successes in n trials, as fractions (NaN in, NaN out)."""
    z = ndtri(0.5 + 0.5 * confidence)
    with np.errstate(invalid="ignore", divide="ignore"):
        p = k / n
        denom = 2 * (n + z**2)
        center = (2 * n * p + z**2) / denom
        delta = z / denom * np.sqrt(4 * n * p * (1 - p) + z**2)
    low = np.where(k == 0, 0.0, center - delta)
    high = np.where(k == n, 1.0, center + delta)
    return low, high
