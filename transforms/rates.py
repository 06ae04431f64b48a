"""Confidence intervals for crude rates and incidence rate ratios (domain.md §5.3, §5.4).

Grain: element-wise over aligned arrays, one element per breakdown cell (e.g. one trust-month, or
one ethnic group in one trust-month). Counts are events (restrictive interventions); denominators
are person-time in occupied bed days (OBD), so "per 1,000 OBD" is treated as a Poisson rate
(🟡 domain.md §5.3: applying the PHE/OHID person-time methods to OBD is by analogy).

Rates follow PHEindicatormethods `phe_rate`: Byar's approximation when the count is at least 10,
the exact Poisson (chi-square) interval below 10, because Byar's lower limit misbehaves for tiny
counts. Rate ratios use the log (Wald) interval when both counts are at least 10 and the exact
conditional interval otherwise (see `rate_ratio`).

Undefined cells are NaN rather than errors, so a mart can be built in one vectorised pass.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

import numpy as np
import numpy.typing as npt

if TYPE_CHECKING:
    from types import ModuleType

ArrayLike = npt.ArrayLike
FloatArray = npt.NDArray[np.float64]

BYAR_MIN_COUNT: Final[int] = 10
"""Counts at or above this use Byar's method; below it the exact Poisson interval (PHEim)."""


def _stats() -> ModuleType:
    """scipy.stats, imported when a rate is first computed: it takes ~1 s to import, which every
    CLI command that opens the warehouse (this module is imported by the mart refresh) would
    otherwise pay."""
    from scipy import stats

    return stats


WALD_MIN_COUNT: Final[int] = 10
"""Both counts at or above this use the log/Wald rate-ratio interval; else exact conditional."""


def _z(confidence: float) -> float:
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence must be strictly between 0 and 1, got {confidence}")
    return float(_stats().norm.ppf(1.0 - (1.0 - confidence) / 2.0))


def rate_ci(
    count: ArrayLike,
    denominator: ArrayLike,
    multiplier: float = 1000.0,
    confidence: float = 0.95,
) -> tuple[FloatArray, FloatArray]:
    """Lower and upper confidence limits of the crude rate count / denominator × multiplier.

    Units: the limits are in the rate's units (per `multiplier` OBD, default per 1,000 OBD).
    Byar's method for count ≥ 10; exact Poisson for count < 10 with
    L = χ²(α/2; 2O)/2 (0 when O = 0) and U = χ²(1−α/2; 2O+2)/2, both then divided by the
    denominator and multiplied. NaN where the denominator is 0, negative or missing, or the count
    is negative or missing.
    """
    z = _z(confidence)
    alpha = 1.0 - confidence
    o = np.asarray(count, dtype=np.float64)
    n = np.asarray(denominator, dtype=np.float64)
    o, n = np.broadcast_arrays(o, n)
    valid = np.isfinite(o) & (o >= 0) & np.isfinite(n) & (n > 0)

    with np.errstate(divide="ignore", invalid="ignore"):
        o1 = o + 1.0
        byar_low = o * (1.0 - 1.0 / (9.0 * o) - z / (3.0 * np.sqrt(o))) ** 3
        byar_high = o1 * (1.0 - 1.0 / (9.0 * o1) + z / (3.0 * np.sqrt(o1))) ** 3
        exact_low = np.where(o > 0, _stats().chi2.ppf(alpha / 2.0, 2.0 * o) / 2.0, 0.0)
        exact_high = _stats().chi2.ppf(1.0 - alpha / 2.0, 2.0 * o + 2.0) / 2.0
        use_byar = o >= BYAR_MIN_COUNT
        low = np.where(use_byar, byar_low, exact_low) / n * multiplier
        high = np.where(use_byar, byar_high, exact_high) / n * multiplier
    return (
        np.where(valid, low, np.nan).astype(np.float64),
        np.where(valid, high, np.nan).astype(np.float64),
    )


def rate_ratio(
    a: ArrayLike,
    pt_group: ArrayLike,
    b: ArrayLike,
    pt_reference: ArrayLike,
    confidence: float = 0.95,
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Incidence rate ratio (a/pt_group)/(b/pt_reference) with its lower and upper limits.

    `a` events over `pt_group` OBD in the group; `b` events over `pt_reference` OBD in the
    reference group (White British for ethnicity, least deprived quintile for IMD). Unitless.

    Method, chosen per element:
    - a ≥ 10 and b ≥ 10: RR × exp(±z·√(1/a + 1/b)) (log/Wald, Rothman; domain.md §5.4 ✅).
    - otherwise the exact conditional interval: given a + b events, a is binomial with
      p = RR·pt_group / (RR·pt_group + pt_reference). Clopper-Pearson limits on p
      (Beta(α/2; a, b+1) and Beta(1−α/2; a+1, b)) are converted back with
      RR = p/(1−p) · pt_reference/pt_group. The threshold of 10 is 🟡 in domain.md (by analogy with
      PHEindicatormethods' Byar/exact switch); domain.md also names mid-p as an alternative, which
      is not used here: Clopper-Pearson is conservative (never narrower than the nominal coverage).

    Undefined → NaN in all three: a + b = 0, either person-time ≤ 0 or missing, any count negative
    or missing, and b = 0 with a > 0 (the ratio would be infinite). a = 0 with b > 0 gives ratio 0,
    lower limit 0 and a finite exact upper limit.
    """
    z = _z(confidence)
    alpha = 1.0 - confidence
    arrays = np.broadcast_arrays(
        *(np.asarray(x, dtype=np.float64) for x in (a, pt_group, b, pt_reference))
    )
    a_, pt1, b_, pt0 = arrays
    valid = (
        np.isfinite(a_)
        & np.isfinite(b_)
        & np.isfinite(pt1)
        & np.isfinite(pt0)
        & (a_ >= 0)
        & (b_ > 0)
        & (pt1 > 0)
        & (pt0 > 0)
    )

    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = (a_ / pt1) / (b_ / pt0)
        spread = np.exp(z * np.sqrt(1.0 / a_ + 1.0 / b_))
        wald_low, wald_high = ratio / spread, ratio * spread

        p_low = np.where(a_ > 0, _stats().beta.ppf(alpha / 2.0, a_, b_ + 1.0), 0.0)
        p_high = _stats().beta.ppf(1.0 - alpha / 2.0, a_ + 1.0, b_)
        scale = pt0 / pt1
        exact_low = p_low / (1.0 - p_low) * scale
        exact_high = p_high / (1.0 - p_high) * scale

        use_wald = (a_ >= WALD_MIN_COUNT) & (b_ >= WALD_MIN_COUNT)
        low = np.where(use_wald, wald_low, exact_low)
        high = np.where(use_wald, wald_high, exact_high)
    return (
        np.where(valid, ratio, np.nan).astype(np.float64),
        np.where(valid, low, np.nan).astype(np.float64),
        np.where(valid, high, np.nan).astype(np.float64),
    )
