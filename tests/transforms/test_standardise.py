"""Fact rows: families, prone, RT, age bands, derived gender, ethnic groups, LSOA and IMD."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from tests.transforms.helpers import OCTOBER, derived, values
from transforms.standardise import (
    INTERVENTION_COLUMNS,
    WARD_STAY_COLUMNS,
    standardise_interventions,
    standardise_ward_stays,
)


def _ri(**fields: str | None) -> dict[str, str | None]:
    row: dict[str, str | None] = {
        "incident_id": "I1",
        "intervention_id": "1",
        "patient_key": "k1",
        "ward_code": "W1",
        "intervention_type": "01",
        "ethnic_category": "A",
        "start": "2024-10-15 10:00:00",
        "end": "2024-10-15 10:07:00",
        "date_of_birth": "1990-01-01",
    }
    row.update(fields)
    return row


def _facts(rows: list[dict[str, str | None]], **kwargs: object) -> pd.DataFrame:
    prep = derived("restrictive_interventions", rows)
    return standardise_interventions(prep, "RX2", dt.date(2024, 10, 17), **kwargs)  # type: ignore[arg-type]


def test_intervention_families_prone_and_rapid_tranquillisation() -> None:
    codes = ["01", "07", "04", "05", "06", "14", "15"]
    facts = _facts([_ri(intervention_type=c) for c in codes])
    assert facts["intervention_family"].tolist() == [
        "physical", "physical", "mechanical", "seclusion", "segregation", "chemical", "chemical",
    ]  # fmt: skip
    assert facts["is_prone"].tolist() == [True, False, False, False, False, False, False]
    assert facts["is_rapid_tranquillisation"].tolist() == [False] * 5 + [True, False]
    assert facts["intervention_type_label"].iloc[0] == "Physical restraint - Prone"


@pytest.mark.parametrize(
    ("dob", "band", "age"),
    [
        # Age at the end of the reporting month (31 October), NHS Digital's AgeRepPeriodEnd,
        # not at the intervention (15 October): issue 12 changed this on purpose.
        ("2006-11-01", "Under 18", 17),  # 18th birthday is the day after the month ends
        ("2006-10-31", "18-24", 18),  # 18 on the month's last day
        ("2006-10-16", "18-24", 18),  # 17 at the intervention, 18 by the month's end
        ("1999-11-01", "18-24", 24),
        ("1999-10-31", "25-34", 25),
        ("1959-11-01", "55-64", 64),
        ("1959-10-31", "65 and over", 65),
        (None, "Unknown", None),
        ("1890-01-01", "Unknown", None),  # over 120: age_over_120 warns, the band is Unknown
        ("2024-10-20", "Unknown", None),  # born after the intervention: Unknown, not 0
    ],
)
def test_age_band_at_the_end_of_the_reporting_month(
    dob: str | None, band: str, age: int | None
) -> None:
    facts = _facts([_ri(date_of_birth=dob)])
    assert facts["age_band"].tolist() == [band]
    assert values(facts["age_years"]) == [age]


def test_numerator_and_denominator_age_bands_agree_for_a_linked_patient_month() -> None:
    """The same person's intervention and ward stay in one month fall in one age band, for
    every birthday in the month (the rate of a band divides like by like)."""
    for day in range(1, 32):
        dob = f"2006-10-{day:02d}"
        ri = _facts([_ri(date_of_birth=dob, start="2024-10-01 09:00:00",
                         end="2024-10-01 09:05:00")])  # fmt: skip
        stay = {"ward_stay_id": "S1", "patient_key": "k1", "ward_code": "W1",
                "date_of_birth": dob, "stay_start": "2024-09-20"}  # fmt: skip
        ws = standardise_ward_stays(derived("ward_stays", [stay]), "RX2", dt.date(2024, 10, 1))
        assert ri["age_band"].tolist() == ws["age_band"].tolist() == ["18-24"], dob
        assert values(ri["age_years"]) == values(ws["age_years"]) == [18]


@pytest.mark.parametrize(
    ("stated", "identity", "derived"),
    [
        ("1", "2", "2"),  # identity 1-4 wins over stated gender
        ("2", "3", "3"),
        (None, "4", "4"),
        ("2", "Z", "2"),  # identity not stated: fall back to stated gender
        ("9", "X", "9"),
        ("X", None, "X"),
        (None, None, "X"),
        ("Q", "Z", "X"),
    ],
)
def test_derived_gender(stated: str | None, identity: str | None, derived: str) -> None:
    facts = _facts([_ri(gender=stated, gender_identity=identity)])
    assert facts["gender_code"].tolist() == [derived]


def test_ethnic_groups() -> None:
    facts = _facts([_ri(ethnic_category=c) for c in ("A", "D", "H", "N", "R", "Z", "99")])
    assert facts["ethnic_group"].tolist() == [
        "White", "Mixed", "Asian or Asian British", "Black or Black British",
        "Other Ethnic Groups", "Not Stated", "Not Known",
    ]  # fmt: skip
    assert facts["ethnic_category_code"].tolist() == ["A", "D", "H", "N", "R", "Z", "99"]


def test_times_reason_flags_lsoa_and_imd() -> None:
    rows = [
        _ri(reason="10", injury_patient="Y", injury_staff="N", lda_flag="Y", lsoa="E01000001"),
        _ri(
            start="2024-10-31 22:00:00",
            end=None,
            reason="55",
            injury_patient="MAYBE",
            lsoa="E0100001",
            intervention_type="05",
        ),
        _ri(start="2024-09-30 22:00:00", end="2024-11-01 09:00:00", lsoa="E02000001"),
    ]
    facts = _facts(rows, imd={"E01000001": 3})
    assert facts["start_at"].tolist()[0] == pd.Timestamp("2024-10-15 09:00", tz="UTC")
    assert values(facts["duration_minutes"]) == [7.0, None, 45_360.0]  # 31 days + 12 h, UTC
    assert facts["is_open_at_month_end"].tolist() == [False, True, True]
    assert values(facts["start_date_local"]) == [
        dt.date(2024, 10, 15), dt.date(2024, 10, 31), dt.date(2024, 9, 30),
    ]  # fmt: skip
    assert values(facts["reason_code"]) == ["10", None, None]
    assert values(facts["injury_patient"]) == [True, None, None]
    assert values(facts["injury_staff"]) == [False, None, None]
    assert values(facts["lda_flag"]) == [True, None, None]
    assert values(facts["lsoa"]) == ["E01000001", None, None]
    assert values(facts["imd_decile"]) == [3, None, None]
    assert values(facts["reporting_month"]) == [dt.date(2024, 10, 1)] * 3
    assert facts["trust_code"].tolist() == ["RX2"] * 3
    assert facts["source_row_number"].tolist() == [2, 3, 4]


def test_intervention_columns_and_types() -> None:
    facts = _facts([_ri()])
    assert list(facts.columns) == INTERVENTION_COLUMNS
    assert str(facts["start_at"].dtype) == "datetime64[us, UTC]"
    assert str(facts["imd_decile"].dtype) == "Int64"
    assert "date32" in str(facts["reporting_month"].dtype)
    assert "nhs_number" not in facts.columns and "local_patient_id" not in facts.columns


def test_ward_stays_bed_days_and_age_at_month_end() -> None:
    rows: list[dict[str, str | None]] = [
        {"ward_stay_id": "S1", "stay_start": "2024-09-20", "date_of_birth": "2006-10-31"},
        {"ward_stay_id": "S2", "stay_start": "2024-10-05", "stay_end": "2024-10-10",
         "date_of_birth": "2006-11-01"},
        {"ward_stay_id": "S3", "stay_start": "2024-09-01", "stay_end": "2024-10-01",
         "date_of_birth": None},
        {"ward_stay_id": "S4", "stay_start": "2024-10-20", "stay_end": "2024-11-01",
         "date_of_birth": "1959-10-31", "ethnic_category": "M", "gender": "2"},
    ]  # fmt: skip
    prep = derived("ward_stays", rows)
    facts = standardise_ward_stays(prep, "RX2", OCTOBER)
    assert list(facts.columns) == WARD_STAY_COLUMNS
    assert values(facts["occupied_bed_days"]) == [31, 5, 0, 12]
    assert facts["is_open_at_month_end"].tolist() == [True, False, False, True]
    assert values(facts["age_years"]) == [18, 17, None, 65]
    assert facts["age_band"].tolist() == ["18-24", "Under 18", "Unknown", "65 and over"]
    assert values(facts["stay_end"]) == [None, dt.date(2024, 10, 10), dt.date(2024, 10, 1),
                                         dt.date(2024, 11, 1)]  # fmt: skip
    assert values(facts["ethnic_group"])[3] == "Black or Black British"
    assert facts["gender_code"].tolist() == ["X", "X", "X", "2"]
