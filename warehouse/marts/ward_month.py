"""mart_ward_month from the facts and submissions of one or more months: pure pandas.

Grain: one row per (trust, ward, month) with an intervention or a ward stay on that ward, the
measures of mart_trust_month counted the same way (`warehouse.marts.trust_month`,
`warehouse.marts.measures`) and the trust-month's `completeness` (a ward's month is as complete
as its trust's files). Interventions and stays with no ward count in an `UNKNOWN` row, so the
additive counts (interventions, per-type interventions, bed days) of a trust's ward rows sum to
its mart_trust_month row; people, incidents and inpatients are distinct counts and need not (a
patient moved between wards counts on each). `ward_type` and `security_level` are the ward's
as reported that month (ward stays first, then interventions). domain.md §3.7.
"""

from __future__ import annotations

from typing import Final

import pandas as pd

from warehouse.marts.trust_month import (
    KEYS,
    SUBMISSION_COLUMNS,
    _apply_completeness,
    _one_level,
    _with_rates,
    completeness,
    distinct_interventions,
)
from warehouse.schema import column_names, mart_ward_month
from warehouse.schema_wards import UNKNOWN_WARD

WARD_KEYS: Final = ["trust_code", "ward_code", "reporting_month"]


def _with_ward(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    code = out["ward_code"].astype("string").str.strip()
    out["ward_code"] = code.where(code.notna() & code.ne(""), UNKNOWN_WARD).astype("str")
    return out


def _attributes(ri: pd.DataFrame, stays: pd.DataFrame) -> pd.DataFrame:
    """ward_type and security_level per (trust, ward, month): the stays' first, then the
    interventions'; the last value stated in the month."""
    columns = {"ward_type_code": "ward_type", "ward_security_level": "security_level"}
    parts = [f[[*WARD_KEYS, *columns]] for f in (ri, stays) if set(columns) <= set(f.columns)]
    if not parts:
        return pd.DataFrame(columns=[*WARD_KEYS, *columns.values()])
    both = pd.concat(parts, ignore_index=True)
    both["reporting_month"] = pd.to_datetime(both["reporting_month"]).dt.date
    both = both[both["ward_code"] != UNKNOWN_WARD]
    out = both.groupby(WARD_KEYS, sort=False)[list(columns)].last().reset_index()
    return out.rename(columns=columns)


def build_ward_month(
    interventions: pd.DataFrame, stays: pd.DataFrame, submissions: pd.DataFrame | None = None
) -> pd.DataFrame:
    """mart_ward_month rows (table column order) for every ward seen in the months given."""
    if submissions is None:
        submissions = pd.DataFrame(columns=SUBMISSION_COLUMNS)
    ri = _with_ward(distinct_interventions(interventions))
    beds = _with_ward(stays)
    state = completeness(submissions, ri, beds)
    if state.empty or (ri.empty and beds.empty):
        return pd.DataFrame(columns=column_names(mart_ward_month))
    out = _one_level(ri, beds, WARD_KEYS).merge(state, on=KEYS, how="inner")
    out = _apply_completeness(_with_rates(out))
    out = out.merge(_attributes(ri, beds), on=WARD_KEYS, how="left")
    out["reporting_month"] = pd.to_datetime(out["reporting_month"])
    out = out.sort_values(WARD_KEYS, ignore_index=True)
    return out[column_names(mart_ward_month)]
