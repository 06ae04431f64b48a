"""Plausibility rules: absurd values are quarantined with a named rule, not loaded."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

import pandas as pd
import pytest
from pydantic import ValidationError

from tests.transforms.helpers import KEY, NO_SYNONYMS, trust
from transforms.derive import derive_fields
from transforms.errors import FileRejected
from transforms.mapping import map_to_canonical
from transforms.read import read_table
from transforms.read_guards import ReadLimits
from transforms.trust_config import Plausibility

if TYPE_CHECKING:
    from expectations.validate import RowValidation

TRUST = trust()
JANUARY = dt.date(2024, 1, 1)


def _rows(starts_ends_types: list[tuple[str, str | None, str]]) -> pd.DataFrame:
    n = len(starts_ends_types)
    frame = pd.DataFrame({
        "incident_id": [f"I{i}" for i in range(n)], "intervention_id": ["1"] * n,
        "local_patient_id": [f"P{i}" for i in range(n)], "date_of_birth": ["1990-01-01"] * n,
        "ethnic_category": ["A"] * n, "ward_code": ["W1"] * n,
        "intervention_type": [t for _, _, t in starts_ends_types],
        "start": [s for s, _, _ in starts_ends_types],
        "end": [e for _, e, _ in starts_ends_types],
    }, dtype="str")  # fmt: skip
    return frame.assign(source_row_number=range(2, n + 2))


def _validated(raw: pd.DataFrame, **options: Any) -> RowValidation:
    from expectations.validate import validate_parts

    mapped = map_to_canonical(raw, "restrictive_interventions", TRUST, NO_SYNONYMS, KEY).frame
    derived = derive_fields(mapped, "restrictive_interventions", JANUARY)
    return validate_parts([(derived, TRUST)], "restrictive_interventions", **options)[0]


def _quarantined(raw: pd.DataFrame, **options: Any) -> dict[int, set[str]]:
    result = _validated(raw, **options)
    return result.quarantine.groupby("source_row_number")["rule"].apply(set).to_dict()


def test_an_end_after_the_day_the_file_arrived_is_quarantined() -> None:
    raw = _rows([
        ("2024-01-30 10:00:00", "2024-01-31 23:30:00", "05"),  # ends late on the arrival day
        ("2024-01-30 10:00:00", "2024-02-01 00:30:00", "05"),  # ends the day after
        ("2024-01-31 10:00:00", None, "05"),                   # still open: fine
    ])  # fmt: skip
    got = _quarantined(raw, arrived=dt.date(2024, 1, 31))
    assert got == {3: {"end_after_arrival"}}
    assert _quarantined(raw, arrived=dt.date(2024, 2, 1)) == {}


def test_duration_bounds_come_from_the_collaborative_configuration() -> None:
    raw = _rows([
        ("2024-01-10 10:00:00", "2024-01-20 10:00:00", "05"),  # seclusion of 10 days
        ("2024-01-10 10:00:00", "2024-01-10 13:00:00", "01"),  # physical restraint, 3 h
    ])  # fmt: skip
    assert _quarantined(raw) == {}
    tight = Plausibility(
        quarantine_after_hours={"seclusion": 48, "physical": 168}, warn_after_hours={"physical": 2}
    )
    result = _validated(raw, plausibility=tight)
    assert set(result.quarantine.source_row_number) == {2}
    assert set(result.quarantine.rule) == {"duration_implausible"}
    assert [w.rule for w in result.warnings if w.rule == "restraint_over_24_hours"] == [
        "restraint_over_24_hours"
    ]


def test_a_warning_bound_at_or_over_its_quarantine_bound_fails_validation() -> None:
    with pytest.raises(ValidationError, match=r"warn_after_hours\.physical"):
        Plausibility(warn_after_hours={"physical": 200})
    with pytest.raises(ValidationError):
        Plausibility(quarantine_after_hours={"seclusion": 0})
    with pytest.raises(ValidationError):
        Plausibility(quarantine_after_hours={"sedation": 10})  # type: ignore[dict-item]


def test_absurd_ends_durations_and_starts_are_quarantined() -> None:
    raw = _rows([
        ("2024-01-10 10:00:00", "9999-12-31 00:00:00", "05"),  # seclusion ending in 9999
        ("2024-01-10 10:00:00", "2024-01-18 10:00:00", "01"),  # physical restraint, 8 days
        ("2024-01-10 10:00:00", "2024-01-11 12:00:00", "01"),  # 26 h: a warning only
        ("2024-01-10 10:00:00", "2024-01-20 10:00:00", "05"),  # seclusion of 10 days: fine
        ("1850-01-10 10:00:00", None, "05"),                   # start before 1900
    ])  # fmt: skip
    got = _quarantined(raw)
    assert "duration_implausible" in got[2] and "duration_implausible" in got[3]
    assert 4 not in got and 5 not in got
    assert "start_before_1900" in got[6]


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_a_header_wider_than_the_limit_is_refused_before_its_rows_are_read(fmt: str) -> None:
    import io

    wide = pd.DataFrame({f"c{i}": ["x"] for i in range(600)})
    if fmt == "csv":
        content = wide.to_csv(index=False).encode()
    else:
        buffer = io.BytesIO()
        wide.to_parquet(buffer)
        content = buffer.getvalue()
    with pytest.raises(FileRejected, match="600 columns") as caught:
        read_table(content, f"ri.{fmt}", trust(format=fmt), limits=ReadLimits(max_columns=500))
    assert caught.value.rule == "too_many_columns"
