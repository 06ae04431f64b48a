"""Seclusion and segregation bounded by the stay: the `intervention_longer_than_stay` check.

Per trust-month with both files loaded, a seclusion or segregation (families of types 05 and 06,
transforms.codes) must lie inside the patient's ward stays in that month's ward stays file. The
part of the episode judged is the part inside the month, in Europe/London dates: from its start
date (or the month's first day, when it started before) to its end date (or the month's last day,
when it ends after the month or is still open). Each month an episode is in scope for judges its
own part, so a long segregation is judged whole across its months, each against the stays file
of its month. NHS Digital likewise derives an open episode's end as the period end + 1 and leaves
out of the duration statistics an episode that starts before the hospital spell or ends after it
(`avg_min_flag_type` in Restraints_Prep.py, domain.md §1.11).

The file gives ward stays, not hospital spells, so a patient's stays in the month are chained
first: a stay that starts on or before the day the previous one ended (a ward transfer) continues
it; a stay that starts later leaves a gap, and an episode across that gap does not fit. An open
stay (no end) runs past the month. Dates are whole days and inclusive, as NHS Digital compares
them (an episode that ends on the discharge day fits).

An episode whose person has no usable identifier cannot be placed in any stay and counts.
"""

from __future__ import annotations

from typing import Final

import pandas as pd

KEYS: Final = ["trust_code", "reporting_month"]
FAMILIES: Final = ("seclusion", "segregation")
COLUMN: Final = "interventions_longer_than_stay"
LOCAL_TZ: Final = "Europe/London"
_OPEN: Final = pd.Timestamp.max.normalize()


def _episodes(ri: pd.DataFrame) -> pd.DataFrame:
    """The seclusions and segregations, with the first and last day judged in their month."""
    eps = ri.loc[ri["intervention_family"].isin(FAMILIES).to_numpy(dtype=bool)]
    month = pd.to_datetime(eps["reporting_month"])
    last = month + pd.offsets.MonthEnd(0)
    start = pd.to_datetime(eps["start_date_local"])
    end_at = pd.to_datetime(eps["end_at"], utc=True)
    end = end_at.dt.tz_convert(LOCAL_TZ).dt.tz_localize(None).dt.normalize()
    open_at_end = eps["is_open_at_month_end"].astype("boolean").fillna(False).astype(bool)
    end = end.where(~open_at_end & end.notna(), last)
    return pd.DataFrame(
        {
            "trust_code": eps["trust_code"],
            "reporting_month": month.dt.date,
            "patient_key": eps["patient_key"],
            "first_day": start.where(start > month, month),
            "last_day": end.where(end < last, last),
        },
    ).reset_index(drop=True)


def chained_stays(stays: pd.DataFrame) -> pd.DataFrame:
    """Per (trust, month, patient), the runs of stays with no day out of hospital between them:
    (cover_start, cover_end), an open run ending at `_OPEN`."""
    keys = [*KEYS, "patient_key"]
    spans = stays[[*keys, "stay_start", "stay_end"]].dropna(subset=["patient_key", "stay_start"])
    spans = spans.assign(
        reporting_month=pd.to_datetime(spans["reporting_month"]).dt.date,
        stay_start=pd.to_datetime(spans["stay_start"]),
        stay_end=pd.to_datetime(spans["stay_end"]).fillna(_OPEN),
    ).sort_values([*keys, "stay_start"], ignore_index=True)
    if spans.empty:
        return pd.DataFrame(columns=[*keys, "cover_start", "cover_end"])
    reach = spans.groupby(keys, sort=False)["stay_end"].cummax()
    before = reach.groupby([spans[k] for k in keys], sort=False).shift()
    # a new run starts where this stay begins after every earlier stay of the patient has ended
    new_run = before.isna() | (spans["stay_start"] > before)
    spans["run"] = new_run.cumsum()
    runs = spans.groupby([*keys, "run"], sort=False).agg(
        cover_start=("stay_start", "min"), cover_end=("stay_end", "max")
    )
    return runs.reset_index().drop(columns="run")


def longer_than_stay(ri: pd.DataFrame, stays: pd.DataFrame) -> pd.Series:
    """Per trust-month (index KEYS), the seclusions and segregations of `ri` (one row per
    distinct intervention) that no chained run of the patient's stays contains."""
    eps = _episodes(ri)
    if eps.empty:
        return pd.Series(dtype="int64", name=COLUMN)
    runs = chained_stays(stays)
    pairs = eps.reset_index(names="_ep").merge(runs, on=[*KEYS, "patient_key"], how="inner")
    inside = (pairs["cover_start"] <= pairs["first_day"]) & (
        pairs["last_day"] <= pairs["cover_end"]
    )
    fits = set(pairs.loc[inside.to_numpy(dtype=bool), "_ep"])
    over = eps.assign(_over=[i not in fits for i in eps.index])
    counted = over.groupby(KEYS, sort=False)["_over"].sum().astype("int64")
    return counted.rename(COLUMN)
