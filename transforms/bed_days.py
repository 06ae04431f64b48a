"""Occupied bed days of a ward stay within one reporting month (NHS Digital rule, domain.md §1.11).

Grain: one value per stay for one month, in whole days. Counted from max(stay start, 1st of the
month) up to min(stay end, 1st of the next month) with the end day not counted: a patient in a
bed at midnight is one bed day, so discharge day is free and an open stay counts through the
month's last day. Never negative (a stay ending before the month or starting after it gives 0).
Summed over stays this is the exact denominator of every rate per 1,000 occupied bed days.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd


def occupied_bed_days(
    stay_start: pd.Series, stay_end: pd.Series, reporting_month: dt.date
) -> pd.Series:
    """Bed days per stay (nullable Int64: NA only when the stay start itself is missing).

    `stay_start`/`stay_end` are dates (datetime64 or `datetime.date` values); a missing end
    means the patient is still in hospital.
    """
    month_start = pd.Timestamp(reporting_month.year, reporting_month.month, 1)
    return occupied_bed_days_per_row(
        stay_start, stay_end, month_start, month_start + pd.offsets.MonthBegin(1)
    )


def occupied_bed_days_per_row(
    stay_start: pd.Series,
    stay_end: pd.Series,
    month_start: pd.Series | pd.Timestamp,
    next_month: pd.Series | pd.Timestamp,
) -> pd.Series:
    """As `occupied_bed_days`, with each row's own month (first day, and first day of the next
    month: one value for all rows, or a series on the stays' index), so the stays of several
    months' files are counted in one pass."""
    start = pd.to_datetime(stay_start).astype("datetime64[us]").dt.normalize()
    end = pd.to_datetime(stay_end).astype("datetime64[us]").dt.normalize()
    counted_from = start.where(start > month_start, month_start)
    counted_to = end.fillna(next_month)
    counted_to = counted_to.where(counted_to < next_month, next_month)
    days = (counted_to - counted_from).dt.days.clip(lower=0)
    return days.where(start.notna()).astype("Int64")
