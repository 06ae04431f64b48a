"""Plausibility rules: absurd values are quarantined with a named rule, not loaded."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from tests.transforms.helpers import KEY, NO_SYNONYMS, trust
from transforms.derive import derive_fields
from transforms.errors import FileRejected
from transforms.mapping import map_to_canonical
from transforms.read import read_table
from transforms.read_guards import ReadLimits

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


def _quarantined(raw: pd.DataFrame) -> dict[int, set[str]]:
    from expectations.validate import validate_rows

    mapped = map_to_canonical(raw, "restrictive_interventions", TRUST, NO_SYNONYMS, KEY).frame
    derived = derive_fields(mapped, "restrictive_interventions", JANUARY)
    result = validate_rows(derived, "restrictive_interventions", TRUST)
    return result.quarantine.groupby("source_row_number")["rule"].apply(set).to_dict()


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
