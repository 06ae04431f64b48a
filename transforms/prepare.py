"""Add the typed helper columns (leading underscore) that validation checks and standardisation
reuses, so both read the same parse of every date and the same month rules.

Grain: one row per mapped row, same order; the mapped text columns are kept unchanged (the
quarantine quotes them). Dates are naive `datetime64[us]` (UK local calendar dates), instants are
`datetime64[us, UTC]`, durations are minutes as float (NaN while open), ages are whole years as
nullable Int64. The reporting month runs from local midnight on its 1st to local midnight on the
next month's 1st.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from transforms.canonical import Dataset
from transforms.timezones import interval_to_utc

ISO_DATE = "%Y-%m-%d"
ISO_DATETIME = "%Y-%m-%d %H:%M:%S"


def month_bounds(reporting_month: dt.date) -> tuple[pd.Timestamp, pd.Timestamp]:
    """First day of the month and first day of the next month (naive, local)."""
    start = pd.Timestamp(reporting_month.year, reporting_month.month, 1)
    return start, start + pd.offsets.MonthBegin(1)


def parse(text: pd.Series, fmt: str) -> tuple[pd.Series, pd.Series]:
    """Parsed values (NaT when blank or unparseable) and a mask of "given but unparseable"."""
    parsed = pd.to_datetime(text, format=fmt, errors="coerce").astype("datetime64[us]")
    return parsed, text.notna() & parsed.isna()


def age_in_years(dob: pd.Series, on: pd.Series) -> pd.Series:
    """Completed years from `dob` to `on` (a birthday counts on the day itself); NA if either
    is missing; negative when the birth date is after `on` (validation catches that)."""
    years = on.dt.year - dob.dt.year
    before_birthday = (on.dt.month * 100 + on.dt.day) < (dob.dt.month * 100 + dob.dt.day)
    return (years - before_birthday.astype("int64")).astype("Int64")


def _first_occurrence(frame: pd.DataFrame, keys: list[str]) -> pd.Series:
    """True on every row whose key (all parts present) appeared on an earlier row."""
    present = frame[keys].notna().all(axis=1)
    repeat = frame.loc[present, keys].duplicated(keep="first")
    return repeat.reindex(frame.index, fill_value=False).astype(bool)


def prepare(mapped: pd.DataFrame, dataset: Dataset, reporting_month: dt.date) -> pd.DataFrame:
    """The mapped frame plus the helper columns of docs/architecture.md (Prepare)."""
    if dataset == "restrictive_interventions":
        return _prepare_interventions(mapped, reporting_month)
    return _prepare_stays(mapped, reporting_month)


def _prepare_interventions(mapped: pd.DataFrame, reporting_month: dt.date) -> pd.DataFrame:
    out = mapped.copy()
    m0, m1 = month_bounds(reporting_month)
    start, out["_start_unparseable"] = parse(mapped["start"], ISO_DATETIME)
    end, out["_end_unparseable"] = parse(mapped["end"], ISO_DATETIME)
    out["_start_at"], out["_end_at"] = interval_to_utc(start, end)
    out["_dob"], _ = parse(mapped["date_of_birth"], ISO_DATE)
    out["_event_date"] = start.dt.normalize()
    out["_age_years"] = age_in_years(out["_dob"], out["_event_date"])
    open_at_end = (start < m1) & (mapped["end"].isna() | (end >= m1))
    out["_in_month"] = start.between(m0, m1, inclusive="left") | (
        end.between(m0, m1, inclusive="left") | open_at_end
    )
    out["_is_repeat"] = _first_occurrence(mapped, ["incident_id", "intervention_id"])
    minutes = (out["_end_at"] - out["_start_at"]).dt.total_seconds() / 60
    out["_duration_minutes"] = minutes.astype("float64")
    return out


def _prepare_stays(mapped: pd.DataFrame, reporting_month: dt.date) -> pd.DataFrame:
    out = mapped.copy()
    m0, m1 = month_bounds(reporting_month)
    out["_stay_start"], out["_stay_start_unparseable"] = parse(mapped["stay_start"], ISO_DATE)
    out["_stay_end"], out["_stay_end_unparseable"] = parse(mapped["stay_end"], ISO_DATE)
    out["_dob"], _ = parse(mapped["date_of_birth"], ISO_DATE)
    out["_event_date"] = out["_stay_start"].where(out["_stay_start"] >= m0, m0)
    out["_event_date"] = out["_event_date"].where(out["_stay_start"].notna())
    out["_age_years"] = age_in_years(out["_dob"], out["_event_date"])
    ends_in_or_after = mapped["stay_end"].isna() | (out["_stay_end"] >= m0)
    out["_in_month"] = (out["_stay_start"] < m1) & ends_in_or_after
    out["_is_repeat"] = _first_occurrence(mapped, ["ward_stay_id"])
    return out
