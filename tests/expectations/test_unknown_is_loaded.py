"""A bad demographic or location field never removes a restraint from the counts (issue 12).

Rows go derive -> validate -> standardise -> marts as in the pipeline. Each of the five rows has
one fault that used to quarantine it; now every row is loaded, the field is Unknown, and the
trust's warnings name the rule and the row.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from expectations.validate import validate_rows
from tests.transforms.helpers import derived, trust
from transforms.standardise import standardise_interventions
from warehouse.marts.equity_month import build_equity_month, categories
from warehouse.marts.trust_month import build_trust_month

MONTH = dt.date(2024, 10, 1)
BASE = {
    "incident_id": "I1", "patient_key": "k1", "nhs_number_status": "valid", "ward_code": "W1",
    "intervention_type": "01", "ethnic_category": "A", "start": "2024-10-15 10:00:00",
    "end": "2024-10-15 10:07:00", "date_of_birth": "1990-01-01",
}  # fmt: skip
ROWS = [
    {"intervention_id": "1", "ethnic_category": "Q9"},  # row 2: not an ethnic category
    {"intervention_id": "2", "ethnic_category": None},  # row 3: blank
    {"intervention_id": "3", "patient_key": None, "nhs_number_status": "invalid"},  # row 4
    {"intervention_id": "4", "date_of_birth": "not a date"},  # row 5
    {"intervention_id": "5", "ward_code": None},  # row 6
]


def _run() -> tuple[pd.DataFrame, dict[str, tuple[int, ...]]]:
    frame = derived("restrictive_interventions", [{**BASE, **row} for row in ROWS], MONTH)
    result = validate_rows(frame, "restrictive_interventions", trust())
    assert result.quarantine.empty  # nothing held back: every row can be counted
    facts = standardise_interventions(result.valid, "RX2", MONTH)
    return facts, {w.rule: w.example_rows for w in result.warnings}


def test_a_bad_ethnicity_is_loaded_as_unknown_with_a_warning_naming_rule_and_rows() -> None:
    facts, warned = _run()
    assert len(facts) == len(ROWS)
    assert warned["ethnic_category_invalid"] == (2, 3)
    assert facts["ethnic_category_code"].isna().tolist()[:2] == [True, True]
    cats = categories(facts)
    assert cats["ethnic_group"].tolist()[:2] == ["Unknown", "Unknown"]
    assert cats["ethnic_category"].tolist()[:2] == ["Unknown", "Unknown"]


def test_other_demographic_and_location_faults_load_as_unknown() -> None:
    facts, warned = _run()
    assert warned["nhs_number_invalid"] == (4,) and warned["patient_id_missing"] == (4,)
    assert warned["date_of_birth_missing_or_invalid"] == (5,)
    assert warned["ward_code_missing"] == (6,)
    assert pd.isna(facts["patient_key"].iloc[2])
    assert facts["age_band"].iloc[3] == "Unknown" and pd.isna(facts["age_years"].iloc[3])
    assert pd.isna(facts["ward_code"].iloc[4])


def test_an_unidentified_person_counts_as_an_intervention_not_as_a_person() -> None:
    facts, _ = _run()
    stays = pd.DataFrame(
        {"trust_code": ["RX2"], "reporting_month": [MONTH], "occupied_bed_days": [310],
         "ethnic_category_code": ["A"], "ethnic_group": ["White"], "gender_code": ["1"],
         "age_band": ["35-44"], "imd_decile": [5], "lda_flag": [False], "patient_key": ["k1"],
         "stay_start": [dt.date(2024, 9, 1)], "stay_end": [None]}
    )  # fmt: skip
    mart = build_trust_month(facts, stays).set_index("trust_code")
    assert mart.loc["RX2", "interventions"] == 5  # all five restraints are counted
    assert mart.loc["RX2", "people"] == 1  # k1; the row with no usable identifier is no one
    equity = build_equity_month(facts, stays)
    unknown = equity[(equity.trust_code == "RX2") & (equity.dimension == "ethnic_group")]
    assert unknown.set_index("category").loc["Unknown", "interventions"] == 2
