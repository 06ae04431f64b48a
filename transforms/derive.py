"""Add the typed helper columns (leading underscore) that validation checks and standardisation
reuses, so both read the same parse of every date and the same month rules.

Grain: one row per mapped row, same order; the mapped text columns are kept unchanged (the
quarantine quotes them). Dates are naive `datetime64[us]` (UK local calendar dates), instants are
`datetime64[us, UTC]`, durations are minutes as float (NaN while open), ages are whole years as
nullable Int64. The reporting month runs from local midnight on its 1st to local midnight on the
next month's 1st.

`derive_many` does the work once over several files of a chunk (pandas costs milliseconds per
call whatever the size, and a file is a few hundred rows): each row carries its own file's month,
and repeats are looked for within a file only, so every file gets exactly what `derive_fields`
gives it alone. The stacking helpers (`stack_files`, `split_files`, `month_bounds_per_row`)
serve the other batched transforms too.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Sequence

import numpy as np
import pandas as pd

from transforms.canonical import Dataset
from transforms.timezones import interval_to_utc
from transforms.xlsx_traps import EXCEL_ERRORS

ISO_DATE = "%Y-%m-%d"
ISO_DATETIME = "%Y-%m-%d %H:%M:%S"


def month_bounds(reporting_month: dt.date) -> tuple[pd.Timestamp, pd.Timestamp]:
    """First day of the month and first day of the next month (naive, local)."""
    start = pd.Timestamp(reporting_month.year, reporting_month.month, 1)
    return start, start + pd.offsets.MonthBegin(1)


def stack_files(frames: Sequence[pd.DataFrame]) -> tuple[pd.DataFrame, list[int]]:
    """Several files' rows as one frame (file after file, fresh 0..n-1 index) and the offsets
    where each file starts, plus the total at the end (file i is rows offsets[i]:offsets[i+1])."""
    offsets = [0, *itertools.accumulate(len(frame) for frame in frames)]
    if len(frames) == 1:
        return frames[0].reset_index(drop=True), offsets
    return pd.concat(frames, ignore_index=True), offsets


def split_files(combined: pd.DataFrame, offsets: list[int]) -> list[pd.DataFrame]:
    """The stacked frame cut back into its files, each indexed 0..n-1."""
    return [
        combined.iloc[start:end].reset_index(drop=True)
        for start, end in itertools.pairwise(offsets)
    ]


def file_number_per_row(offsets: list[int]) -> np.ndarray:
    """0 for every row of the first file, 1 for the second, ..."""
    return np.repeat(np.arange(len(offsets) - 1), np.diff(offsets))


def month_bounds_per_row(
    months: Sequence[dt.date], offsets: list[int]
) -> tuple[pd.Series, pd.Series]:
    """`month_bounds` of each row's own file, as `datetime64[us]` series on the stacked index."""
    bounds = [month_bounds(month) for month in months]
    starts = np.array([s.to_datetime64() for s, _ in bounds], dtype="datetime64[us]")
    ends = np.array([e.to_datetime64() for _, e in bounds], dtype="datetime64[us]")
    lengths = np.diff(offsets)
    return pd.Series(np.repeat(starts, lengths)), pd.Series(np.repeat(ends, lengths))


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


def _repeats(frame: pd.DataFrame, keys: list[str], file_number: np.ndarray) -> pd.Series:
    """True on every row whose key (all parts present) appeared on an earlier row of its file."""
    present = frame[keys].notna().all(axis=1)
    scoped = frame[keys].assign(_file=file_number)
    repeat = scoped.loc[present].duplicated(keep="first")
    return repeat.reindex(frame.index, fill_value=False).astype(bool)


def derive_fields(mapped: pd.DataFrame, dataset: Dataset, reporting_month: dt.date) -> pd.DataFrame:
    """The mapped frame plus the helper columns of docs/architecture.md (Derive)."""
    return derive_many([mapped], dataset, [reporting_month])[0]


def derive_many(
    mapped: Sequence[pd.DataFrame], dataset: Dataset, months: Sequence[dt.date]
) -> list[pd.DataFrame]:
    """`derive_fields` of each file (its own reporting month), in one pass over all of them.

    The files must share their columns (mapped frames of one dataset do). Each result keeps its
    input's index and column types, exactly as `derive_fields` of that file alone.
    """
    if len(mapped) != len(months):
        raise ValueError(f"{len(mapped)} files but {len(months)} reporting months")
    if not mapped:
        return []
    if any(not frame.columns.equals(mapped[0].columns) for frame in mapped[1:]):
        raise ValueError("files derived together must have the same columns")
    combined, offsets = stack_files(mapped)
    m0, m1 = month_bounds_per_row(months, offsets)
    files = file_number_per_row(offsets)
    if dataset == "restrictive_interventions":
        out = _derive_interventions(combined, m0, m1, files)
    else:
        out = _derive_stays(combined, m0, m1, files)
    out["_excel_error"] = excel_error_rows(combined)
    same_types = all(frame.dtypes.equals(mapped[0].dtypes) for frame in mapped[1:])
    return [
        _like(part, frame, same_types)
        for part, frame in zip(split_files(out, offsets), mapped, strict=True)
    ]


def excel_error_rows(mapped: pd.DataFrame) -> pd.Series:
    """True for each row with a cell holding an Excel error value (`#REF!`, `#DIV/0!`, ...)."""
    errors = list(EXCEL_ERRORS)
    hit = np.zeros(len(mapped), dtype=bool)
    for name, column in mapped.items():
        if column.dtype == "str" and not str(name).startswith("_"):
            hit |= column.isin(errors).to_numpy(dtype=bool)
    return pd.Series(hit, index=mapped.index)


def _like(part: pd.DataFrame, frame: pd.DataFrame, same_types: bool) -> pd.DataFrame:
    """`part` with `frame`'s index, and its column types where stacking had to widen them."""
    if not same_types:
        part = part.astype(frame.dtypes.to_dict())
    return part.set_axis(frame.index, axis=0)


def _derive_interventions(
    mapped: pd.DataFrame, m0: pd.Series, m1: pd.Series, files: np.ndarray
) -> pd.DataFrame:
    out = mapped.copy()
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
    out["_is_repeat"] = _repeats(mapped, ["incident_id", "intervention_id"], files)
    minutes = (out["_end_at"] - out["_start_at"]).dt.total_seconds() / 60
    out["_duration_minutes"] = minutes.astype("float64")
    return out


def _derive_stays(
    mapped: pd.DataFrame, m0: pd.Series, m1: pd.Series, files: np.ndarray
) -> pd.DataFrame:
    out = mapped.copy()
    out["_stay_start"], out["_stay_start_unparseable"] = parse(mapped["stay_start"], ISO_DATE)
    out["_stay_end"], out["_stay_end_unparseable"] = parse(mapped["stay_end"], ISO_DATE)
    out["_dob"], _ = parse(mapped["date_of_birth"], ISO_DATE)
    out["_event_date"] = out["_stay_start"].where(out["_stay_start"] >= m0, m0)
    out["_event_date"] = out["_event_date"].where(out["_stay_start"].notna())
    out["_age_years"] = age_in_years(out["_dob"], out["_event_date"])
    ends_in_or_after = mapped["stay_end"].isna() | (out["_stay_end"] >= m0)
    out["_in_month"] = (out["_stay_start"] < m1) & ends_in_or_after
    out["_is_repeat"] = _repeats(mapped, ["ward_stay_id"], files)
    return out
