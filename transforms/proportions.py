"""Proportions with Wilson score intervals (domain.md §5.3): the people-based equity measure.

Grain: element-wise, one proportion per (numerator, denominator) pair. The interval is
`scipy.stats.binomtest(...).proportion_ci(method="wilson")`, the score interval OHID's Fingertips
methods use for proportions.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.stats import binomtest


def wilson(
    people: pd.Series, inpatients: pd.Series, confidence: float = 0.95, per: float = 100.0
) -> tuple[pd.Series, pd.Series, pd.Series]:
    """(people / inpatients x per, lower, upper); NaN where the denominator is missing or 0, or
    the numerator is missing or larger than it (categories recorded differently in the files)."""
    k = pd.to_numeric(people, errors="coerce").astype("float64").to_numpy()
    n = pd.to_numeric(inpatients, errors="coerce").astype("float64").to_numpy()
    value, low, high = (np.full(k.size, np.nan) for _ in range(3))
    for i, (a, b) in enumerate(zip(k, n, strict=True)):
        if np.isfinite(a) and np.isfinite(b) and b > 0 and 0 <= a <= b:
            ci = binomtest(int(a), int(b)).proportion_ci(confidence, method="wilson")
            value[i], low[i], high[i] = a / b * per, ci.low * per, ci.high * per
    index = people.index
    return pd.Series(value, index), pd.Series(low, index), pd.Series(high, index)
