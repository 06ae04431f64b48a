"""Occupied bed days for October 2024 (31 days) and February 2024 (29 days)."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pyarrow as pa
import pytest

from tests.transforms.helpers import values
from transforms.bed_days import occupied_bed_days

OCT = dt.date(2024, 10, 1)


@pytest.mark.parametrize(
    ("start", "end", "days"),
    [
        ("2024-09-20", None, 31),  # open from before: every night of the month
        ("2024-10-05", "2024-10-10", 5),  # nights of the 5th..9th; discharge day not counted
        ("2024-10-01", "2024-10-01", 0),  # admitted and discharged the same day
        ("2024-09-01", "2024-10-01", 0),  # discharged on the 1st: no October night
        ("2024-09-01", "2024-11-15", 31),  # spans the whole month
        ("2024-10-31", None, 1),  # admitted on the last day
        ("2024-10-20", "2024-11-01", 12),  # 20th..31st
        ("2024-11-01", None, 0),  # starts next month: never negative
        ("2024-08-01", "2024-09-30", 0),  # ended last month: never negative
    ],
)
def test_october_bed_days(start: str, end: str | None, days: int) -> None:
    result = occupied_bed_days(
        pd.Series([pd.Timestamp(start)]), pd.Series([pd.Timestamp(end) if end else pd.NaT]), OCT
    )
    assert values(result) == [days]


def test_leap_february_and_date_typed_inputs() -> None:
    date32 = pd.ArrowDtype(pa.date32())
    start = pd.Series([dt.date(2024, 1, 10), dt.date(2024, 2, 28), None], dtype=date32)
    end = pd.Series([None, dt.date(2024, 3, 2), None], dtype=date32)
    result = occupied_bed_days(start, end, dt.date(2024, 2, 1))
    assert values(result) == [29, 2, None]
    assert str(result.dtype) == "Int64"
