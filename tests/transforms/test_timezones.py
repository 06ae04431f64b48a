"""UK clock changes: durations measured on UTC instants (design.md §8.1)."""

from __future__ import annotations

import pandas as pd
import pytest

from tests.transforms.helpers import derived, values


def _interval(start: str, end: str | None, month: str = "2024-10-01") -> pd.Series:
    row = {"incident_id": "I1", "intervention_id": "1", "start": start, "end": end}
    frame = derived("restrictive_interventions", [row], pd.Timestamp(month).date())
    return frame.iloc[0]


@pytest.mark.parametrize(
    ("start", "end", "start_utc", "end_utc", "minutes"),
    [
        # summer time: local is UTC+1
        ("2024-06-01 12:00:00", "2024-06-01 12:30:00", "2024-06-01 11:00", "2024-06-01 11:30", 30),
        # October: 00:30 BST to 03:00 GMT spans the repeated hour: 3.5 hours really elapse
        ("2024-10-27 00:30:00", "2024-10-27 03:00:00", "2024-10-26 23:30", "2024-10-27 03:00", 210),
        # ambiguous start is its first occurrence (BST)
        ("2024-10-27 01:30:00", "2024-10-27 02:00:00", "2024-10-27 00:30", "2024-10-27 02:00", 90),
        # 01:50 -> 01:10 is negative only because of the change: end is the second 01:10
        ("2024-10-27 01:50:00", "2024-10-27 01:10:00", "2024-10-27 00:50", "2024-10-27 01:10", 20),
        # March: 01:30 does not exist and is read as one hour later (02:30 BST = 01:30 UTC)
        ("2024-03-31 00:30:00", "2024-03-31 01:30:00", "2024-03-31 00:30", "2024-03-31 01:30", 60),
        ("2024-03-31 01:15:00", "2024-03-31 03:00:00", "2024-03-31 01:15", "2024-03-31 02:00", 45),
    ],
)
def test_durations_across_clock_changes(
    start: str, end: str, start_utc: str, end_utc: str, minutes: int
) -> None:
    row = _interval(start, end, start[:8] + "01")
    assert row["_start_at"] == pd.Timestamp(start_utc, tz="UTC")
    assert row["_end_at"] == pd.Timestamp(end_utc, tz="UTC")
    assert row["_duration_minutes"] == minutes


def test_a_genuinely_negative_duration_stays_negative_for_validation() -> None:
    row = _interval("2024-10-10 10:00:00", "2024-10-10 09:00:00")
    assert row["_duration_minutes"] == -60


def test_open_intervention_has_no_end_and_no_duration() -> None:
    frame = derived(
        "restrictive_interventions",
        [{"incident_id": "I1", "intervention_id": "1", "start": "2024-10-10 10:00:00"}],
    )
    assert values(frame["_end_at"]) == [None]
    assert values(frame["_duration_minutes"]) == [None]
    assert str(frame["_start_at"].dtype) == "datetime64[us, UTC]"
