"""Submission states for `mhsip status`: nil returns and lateness are distinct outcomes."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from warehouse.submission_status import cell_state, due_date

MARCH = date(2024, 3, 1)


def rows(*items: tuple[str, str, int]) -> pd.DataFrame:
    return pd.DataFrame(items, columns=["dataset", "status", "rows_received"])


def test_due_date_is_the_due_day_of_the_next_month() -> None:
    assert due_date(MARCH, 15) == date(2024, 4, 15)
    assert due_date(date(2024, 12, 1), 10) == date(2025, 1, 10)


@pytest.mark.parametrize(
    ("today", "state"), [(date(2024, 4, 15), "missing"), (date(2024, 4, 16), "late")]
)
def test_nothing_received_is_late_only_after_the_due_day(today: date, state: str) -> None:
    assert cell_state(rows(), MARCH, today, 15) == state


def test_states_from_the_latest_versions() -> None:
    ri_loaded = ("restrictive_interventions", "loaded", 12)
    ws_loaded = ("ward_stays", "loaded", 40)
    assert cell_state(rows(ri_loaded, ws_loaded), MARCH, MARCH, 15) == "loaded"
    nil = ("restrictive_interventions", "loaded", 0)
    assert cell_state(rows(nil, ws_loaded), MARCH, MARCH, 15) == "nil"
    ws_rejected = ("ward_stays", "rejected", 40)
    assert cell_state(rows(ri_loaded, ws_rejected), MARCH, MARCH, 15) == "partial"
    ri_rejected = ("restrictive_interventions", "rejected", 12)
    assert cell_state(rows(ri_rejected, ws_rejected), MARCH, date(2025, 1, 1), 15) == "rejected"
