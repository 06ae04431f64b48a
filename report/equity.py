"""Equity rate ratios over a recent period, with small numbers suppressed, for the forest plots.

Grain: one row per (dimension, category) for one trust (or `ALL`) over its latest `months`
reporting months (default 12). Monthly mart_equity_month counts are summed over the period and
the rate ratio against the dimension's reference category is recomputed from the sums
(`transforms.rates.rate_ratio`: Wald on the log scale, exact conditional for small counts), since
ratios of monthly ratios cannot be averaged. Published-style: a category's ratio is withheld
(`status` = `suppressed`) when its interventions or people or the reference's are below 5 or
either's bed days below 100 (domain.md §3.3 and 5.4): a ratio is shown only between two rates
that are themselves shown; counts and rates are published through
`transforms.suppression`. Categories that say nothing about the person are shown uncompared.
"""

from __future__ import annotations

from typing import Final

import numpy as np
import pandas as pd

from transforms.rates import rate_ratio
from transforms.suppression import MIN_BED_DAYS, MIN_COUNT, suppress_count, suppress_rate
from warehouse.marts.equity_month import NOT_COMPARED, UNKNOWN
from warehouse.marts.trust_month import MEASURED

DIMENSIONS: Final = {
    "ethnic_group": "Ethnic group (reference: White)",
    "age_band": "Age band (reference: 35-44)",
    "imd_quintile": "IMD quintile, 1 = most deprived (reference: 5, least deprived)",
}
PERIOD_MONTHS: Final = 12


def period_ratios(equity: pd.DataFrame, trust: str, months: int = PERIOD_MONTHS) -> pd.DataFrame:
    """Columns: dimension, category, category_label, category_order, interventions (published),
    rate_per_1000_obd (published), rate_ratio, ci_lower, ci_upper, status (reference, shown,
    suppressed, not_compared), period_start, period_end."""
    rows = equity[equity["trust_code"] == trust]
    if "completeness" in rows.columns:  # an incomplete month has no numerator or no bed days
        rows = rows[rows["completeness"].isin(MEASURED)]
    if rows.empty:
        return pd.DataFrame()
    recent = sorted(rows["reporting_month"].unique())[-months:]
    rows = rows[rows["reporting_month"].isin(recent)]
    keys = ["dimension", "category", "category_label", "category_order"]
    # People are distinct per month, so the period's people are at least the largest month's:
    # that lower bound is the people test (a rate is never shown on fewer than 5 people).
    sums = rows.groupby(keys, as_index=False).agg(
        a=("interventions", "sum"),
        pt=("occupied_bed_days", "sum"),
        ref=("is_reference", "max"),
        ppl=("people", "max"),
    )
    ref = sums.loc[sums["ref"], ["dimension", "a", "pt", "ppl"]].rename(
        columns={"a": "b", "pt": "pt0", "ppl": "ppl0"}
    )
    out = sums.merge(ref, on="dimension", how="left")
    a, pt = out["a"].astype("float64"), out["pt"].astype("float64")
    b, pt0 = out["b"].astype("float64"), out["pt0"].astype("float64")
    ppl, ppl0 = out["ppl"].astype("float64"), out["ppl0"].astype("float64")
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio, lower, upper = rate_ratio(a, pt.where(pt > 0), b, pt0.where(pt0 > 0))
    small = (a < MIN_COUNT) | (pt < MIN_BED_DAYS) | ~(b >= MIN_COUNT) | ~(pt0 >= MIN_BED_DAYS)
    small |= ~(ppl >= MIN_COUNT) | ~(ppl0 >= MIN_COUNT)
    uncompared = [
        c in NOT_COMPARED.get(d, {UNKNOWN})
        for d, c in zip(out["dimension"], out["category"], strict=True)
    ]
    status = np.select(
        [out["ref"].to_numpy(bool), np.array(uncompared, dtype=bool), small.to_numpy(bool)],
        ["reference", "not_compared", "suppressed"],
        "shown",
    )
    shown = status == "shown"
    rate = a / pt.where(pt > 0) * 1000.0
    result = out[keys].copy()
    result["interventions"] = suppress_count(a)
    result["rate_per_1000_obd"] = suppress_rate(rate, a, pt, ppl)
    result["rate_ratio"] = np.where(shown, ratio, np.where(status == "reference", 1.0, np.nan))
    result["ci_lower"] = np.where(shown, lower, np.nan)
    result["ci_upper"] = np.where(shown, upper, np.nan)
    result["status"] = status
    result["period_start"], result["period_end"] = recent[0], recent[-1]
    return result.sort_values(["dimension", "category_order", "category"], ignore_index=True)
