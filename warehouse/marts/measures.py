"""The measures beside the counts and rates of mart_trust_month and mart_ward_month: pure pandas.

Definitions are docs/domain.md §3.6 (NHS Digital's RI measures and the Use of Force Act's
recording duties). Every function takes the month's distinct interventions (one row per
incident and intervention, `trust_month.distinct_interventions`) and ward-stay rows, and a
grouping `by` (trust and month, or trust, ward and month, or the collaborative and month):
- `inpatients`: distinct identified patients with a ward stay in the month (MHS97's
  denominator); `pct_inpatients_restricted` = 100 x people / inpatients (MHS97);
- `interventions_per_incident` = interventions / incidents (MHS137); `incidents_per_1000_obd`;
- `{seclusion,segregation,physical}_minutes_{mean,median,max}`: duration in minutes of the
  interventions of that family that ended in the month (MHS98/99, MHS138/139), with
  `{family}_ended` their number (what the published durations are suppressed on);
- `seclusion_days`, `segregation_days`: mean days of the seclusions (segregations) still active
  at the month's end, from their start to the month's end (NHS Digital MHS146/MHS147, "days of
  active seclusion"), with `{family}_active` their number;
- `pct_physical_prone` = 100 x prone restraints / physical restraints;
- `people_2plus_interventions`, `people_5plus_interventions`: identified people with 2 or more
  (5 or more) interventions in the month;
- `pct_injury_patient`, `pct_debrief_patient` = 100 x interventions with a patient injury (a
  post-incident review with the patient) recorded as yes / interventions, with the numerators
  `interventions_injury_patient`, `interventions_debrief_patient`.
"""

from __future__ import annotations

from typing import Final

import numpy as np
import pandas as pd

DURATION_FAMILIES: Final = ("seclusion", "segregation", "physical")
DAY_FAMILIES: Final = ("seclusion", "segregation")
TIMEZONE: Final = "Europe/London"

RI_COUNTS: Final = [
    "people_2plus_interventions", "people_5plus_interventions", "interventions_injury_patient",
    "interventions_debrief_patient", *(f"{f}_ended" for f in DURATION_FAMILIES),
    *(f"{f}_active" for f in DAY_FAMILIES),
]  # fmt: skip
"""Counts from the interventions file alone: NULL when it is not loaded."""
WS_COUNTS: Final = ["inpatients"]
"""Counts from the ward stays file alone: NULL when it is not loaded."""
RI_VALUES: Final = [
    "interventions_per_incident",
    *(f"{f}_minutes_{s}" for f in DURATION_FAMILIES for s in ("mean", "median", "max")),
    *(f"{f}_days" for f in DAY_FAMILIES),
    "pct_physical_prone", "pct_injury_patient", "pct_debrief_patient",
]  # fmt: skip
"""Measures from the interventions file alone: NULL when it is not loaded."""
BOTH_VALUES: Final = ["pct_inpatients_restricted", "incidents_per_1000_obd"]
"""Measures from both files: NULL unless the month is complete or a nil return."""
COUNTS: Final = [*WS_COUNTS, *RI_COUNTS]
VALUES: Final = [*RI_VALUES, *BOTH_VALUES]


def _ratio(numerator: pd.Series, denominator: pd.Series, scale: float = 1.0) -> pd.Series:
    top = pd.to_numeric(numerator, errors="coerce").astype("float64")
    bottom = pd.to_numeric(denominator, errors="coerce").astype("float64")
    return (top / bottom.where(bottom > 0) * scale).astype("float64")


def _month_bounds(months: pd.Series) -> tuple[pd.Series, pd.Series]:
    stamps = pd.Series(pd.to_datetime(months), index=months.index)
    first = pd.Series(stamps.dt.tz_localize(None).dt.to_period("M").dt.to_timestamp())
    after = pd.Series(first + pd.offsets.MonthBegin(1), index=months.index)
    start = first.dt.tz_localize(TIMEZONE).dt.tz_convert("UTC")
    end = after.dt.tz_localize(TIMEZONE).dt.tz_convert("UTC")
    return start, end


def _utc(values: pd.Series) -> pd.Series:
    stamps = pd.to_datetime(values, utc=True)
    return stamps.astype("datetime64[us, UTC]")


def active_days(ri: pd.DataFrame) -> pd.Series:
    """Per intervention row still active at its month's end: days from its start to the month's
    end (midnight Europe/London); NaN for the others and without a start."""
    if ri.empty:
        return pd.Series(dtype="float64", index=ri.index)
    _, end = _month_bounds(ri["reporting_month"])
    seconds = (_utc(end) - _utc(ri["start_at"])).dt.total_seconds().clip(lower=0)
    active = ri["is_open_at_month_end"].fillna(False).astype(bool)
    return (seconds / 86400.0).astype("float64").where(active.to_numpy(dtype=bool))


def group_measures(ri: pd.DataFrame, stays: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """The counts and duration statistics of `RI_COUNTS`, `WS_COUNTS` and the durations and
    days of `RI_VALUES`, one row per group of `by` found in either frame (index `by`)."""
    groups = [ri[c] for c in by]
    out = pd.DataFrame(index=pd.MultiIndex.from_frame(ri[by]).unique())
    per_person = ri.dropna(subset=["patient_key"]).groupby([*by, "patient_key"]).size()
    for n, name in ((2, "people_2plus_interventions"), (5, "people_5plus_interventions")):
        out[name] = (per_person >= n).groupby(level=list(range(len(by)))).sum()
    for column, name in (
        ("injury_patient", "interventions_injury_patient"),
        ("post_incident_review_patient", "interventions_debrief_patient"),
    ):
        out[name] = ri[column].eq(True).fillna(False).astype("int64").groupby(groups).sum()
    ended = ri["duration_minutes"].notna() & ~ri["is_open_at_month_end"].fillna(False).astype(bool)
    for family in DURATION_FAMILIES:
        minutes = ri["duration_minutes"].where(ended & ri["intervention_family"].eq(family))
        grouped = pd.to_numeric(minutes, errors="coerce").astype("float64").groupby(groups)
        out[f"{family}_ended"] = grouped.count()
        for stat in ("mean", "median", "max"):
            out[f"{family}_minutes_{stat}"] = grouped.agg(stat)
    days = active_days(ri)
    for family in DAY_FAMILIES:
        active = days.where(ri["intervention_family"].eq(family)).groupby(groups)
        out[f"{family}_active"] = active.count()
        out[f"{family}_days"] = active.mean()
    inpatients = stays.groupby(by, sort=False)["patient_key"].nunique().rename("inpatients")
    out = out.join(inpatients, how="outer")
    out.index.names = by
    return out


def fill_zeros(out: pd.DataFrame) -> pd.DataFrame:
    """Counts of a group with no interventions (or no stays) are real zeros here; the
    completeness rule turns a missing file's into NULL afterwards."""
    for column in COUNTS:
        out[column] = pd.to_numeric(out[column], errors="coerce").fillna(0).astype("int64")
    return out


def with_ratios(out: pd.DataFrame) -> pd.DataFrame:
    """The ratios of `RI_VALUES` and `BOTH_VALUES` from a frame of counts."""
    out["pct_inpatients_restricted"] = _ratio(out["people"], out["inpatients"], 100.0)
    out["interventions_per_incident"] = _ratio(out["interventions"], out["incidents"])
    out["incidents_per_1000_obd"] = _ratio(out["incidents"], out["occupied_bed_days"], 1000.0)
    out["pct_physical_prone"] = _ratio(
        out["interventions_prone"], out["interventions_physical"], 100.0
    )
    out["pct_injury_patient"] = _ratio(
        out["interventions_injury_patient"], out["interventions"], 100.0
    )
    out["pct_debrief_patient"] = _ratio(
        out["interventions_debrief_patient"], out["interventions"], 100.0
    )
    return out


def mask(
    out: pd.DataFrame, no_ri: pd.Series, no_ws: pd.Series, measured: pd.Series
) -> pd.DataFrame:
    """NULL what depends on a file that is not loaded (the completeness rule, domain.md §3.5)."""
    for column in RI_COUNTS:
        out[column] = out[column].astype("Int64").mask(no_ri)
    for column in WS_COUNTS:
        out[column] = out[column].astype("Int64").mask(no_ws)
    for column in RI_VALUES:
        out[column] = out[column].astype("float64").mask(no_ri.to_numpy(dtype=bool))
    for column in BOTH_VALUES:
        out[column] = out[column].astype("float64").where(measured.to_numpy(dtype=bool))
    return out


def blank(out: pd.DataFrame, none: pd.Series) -> pd.DataFrame:
    """Every measure NULL where `none` (an `ALL` month with no trust included)."""
    rows = np.asarray(none, dtype=bool)
    for column in COUNTS:
        out[column] = out[column].astype("Int64").mask(rows)
    for column in VALUES:
        out[column] = out[column].astype("float64").mask(rows)
    return out
