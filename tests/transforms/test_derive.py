"""Helper columns for validation: month scope, repeats, ages, unparseable flags."""

from __future__ import annotations

import pandas as pd

from tests.transforms.helpers import derived, values


def _ri(start: str | None, end: str | None = None, **extra: str) -> dict[str, str | None]:
    return {"incident_id": "I", "intervention_id": "1", "start": start, "end": end, **extra}


def test_intervention_month_scope_for_october() -> None:
    rows = [
        _ri("2024-10-15 10:00:00", "2024-10-15 10:05:00"),  # starts and ends in month
        _ri("2024-09-20 10:00:00"),  # seclusion open across the month's end
        _ri("2024-09-20 10:00:00", "2024-10-03 09:00:00"),  # ends in month
        _ri("2024-09-20 10:00:00", "2024-11-02 09:00:00"),  # open at the month's end
        _ri("2024-09-20 10:00:00", "2024-09-30 23:59:00"),  # ended last month
        _ri("2024-11-01 00:00:00"),  # starts next month, still open: not this month
        _ri("2024-10-31 23:59:00"),  # last minute of the month
        _ri("2024-09-30 10:00:00", "not a time"),  # end unknown: not "open"
        _ri(None, "2024-10-02 10:00:00"),  # start missing, ends in month
    ]
    frame = derived("restrictive_interventions", rows)
    assert frame["_in_month"].tolist() == [True, True, True, True, False, False, True, False, True]
    assert frame["_end_unparseable"].tolist() == [False] * 7 + [True, False]
    assert frame["_start_unparseable"].tolist() == [False] * 9


def test_repeats_are_later_copies_of_a_present_key() -> None:
    rows: list[dict[str, str | None]] = [
        {"incident_id": "A", "intervention_id": "1"},
        {"incident_id": "A", "intervention_id": "2"},
        {"incident_id": "A", "intervention_id": "1"},
        {"incident_id": "A", "intervention_id": None},
        {"incident_id": "A", "intervention_id": None},
        {"incident_id": "A", "intervention_id": "1"},
    ]
    frame = derived("restrictive_interventions", rows)
    assert frame["_is_repeat"].tolist() == [False, False, True, False, False, True]


def test_age_at_intervention_counts_the_birthday_itself() -> None:
    rows = [
        _ri("2024-10-14 23:59:00", date_of_birth="2006-10-15"),
        _ri("2024-10-15 00:00:00", date_of_birth="2006-10-15"),
        _ri("2024-10-15 00:00:00", date_of_birth="2025-01-01"),
        _ri("2024-10-15 00:00:00", date_of_birth="15/10/2006"),
    ]
    frame = derived("restrictive_interventions", rows)
    assert values(frame["_age_years"]) == [17, 18, -1, None]
    assert (
        values(frame["_event_date"])
        == [pd.Timestamp("2024-10-14")] + [pd.Timestamp("2024-10-15")] * 3
    )


def test_stay_month_scope_and_event_date() -> None:
    rows = [
        {"ward_stay_id": "1", "stay_start": "2024-08-01"},  # open, from before the month
        {"ward_stay_id": "2", "stay_start": "2024-08-01", "stay_end": "2024-09-30"},
        {"ward_stay_id": "3", "stay_start": "2024-08-01", "stay_end": "2024-10-01"},
        {"ward_stay_id": "4", "stay_start": "2024-10-31"},
        {"ward_stay_id": "5", "stay_start": "2024-11-01"},
        {"ward_stay_id": "5", "stay_start": "2024-10-05", "stay_end": "soon"},
    ]
    frame = derived("ward_stays", rows)
    assert frame["_in_month"].tolist() == [True, False, True, True, False, False]
    assert frame["_is_repeat"].tolist() == [False, False, False, False, False, True]
    assert frame["_stay_end_unparseable"].tolist() == [False] * 5 + [True]
    assert values(frame["_event_date"]) == [pd.Timestamp(d) for d in (
        "2024-10-01", "2024-10-01", "2024-10-01", "2024-10-31", "2024-11-01", "2024-10-05"
    )]  # fmt: skip
