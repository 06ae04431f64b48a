"""validate_rows on ward_stays: stay rules, month rules, duplicates and shared person rules."""

from __future__ import annotations

from typing import Final

from expectations.rules import RULES
from expectations.validate import validate_rows
from tests.expectations.helpers import make_trust, ws_frame
from transforms.canonical import Dataset

DATASET: Final[Dataset] = "ward_stays"

FAULTS: list[tuple[dict, str]] = [
    ({"ward_stay_id": None}, "ward_stay_id_missing"),
    ({"patient_key": None, "nhs_number_status": "absent"}, "patient_id_missing"),
    ({"nhs_number_status": "invalid"}, "nhs_number_invalid"),
    ({"date_of_birth": None}, "date_of_birth_missing_or_invalid"),
    ({"date_of_birth": "2024-03-02"}, "date_of_birth_after_event"),
    ({"ethnic_category": "U"}, "ethnic_category_invalid"),
    ({"ward_code": None}, "ward_code_missing"),
    ({"stay_start": "not a date"}, "stay_start_missing_or_invalid"),
    ({"stay_start": "2024-04-01"}, "stay_start_after_month_end"),
    ({"stay_end": "sometime"}, "stay_end_invalid"),
    ({"stay_start": "2024-03-10", "stay_end": "2024-03-05"}, "stay_end_before_stay_start"),
    ({"stay_start": "2024-01-10", "stay_end": "2024-02-29"}, "stay_end_before_month_start"),
]


def test_each_row_rule_catches_exactly_its_row() -> None:
    clean = [{}, {"stay_start": "2024-03-31", "stay_end": "2024-04-03"},
             {"stay_start": "2023-12-01", "stay_end": "2024-03-01"}]  # fmt: skip
    frame = ws_frame(clean + [fault for fault, _ in FAULTS])
    result = validate_rows(frame, DATASET, make_trust())
    got = list(result.quarantine[["source_row_number", "rule"]].itertuples(index=False, name=None))
    rows = [(n + 5, rule) for n, (_, rule) in enumerate(FAULTS)]
    assert got == [(row, rule) for row, rule in rows if RULES[rule].severity == "quarantine_row"]
    # person and ward faults warn and load (issue 12): the stay's bed days still count
    warned = {rule: [row] for row, rule in rows if RULES[rule].severity == "warn"}
    assert {w.rule: list(w.example_rows) for w in result.warnings} == warned
    loaded = [2, 3, 4, *sorted(r for rs in warned.values() for r in rs)]
    assert result.valid["source_row_number"].tolist() == loaded


def test_duplicate_stays_quarantine_all_copies_but_the_first() -> None:
    frame = ws_frame([{"ward_stay_id": "S9"}, {"ward_stay_id": "S9"}, {"ward_stay_id": "S8"},
                      {"ward_stay_id": "S9"}])  # fmt: skip
    result = validate_rows(frame, DATASET, make_trust())
    assert list(
        result.quarantine[["source_row_number", "rule"]].itertuples(index=False, name=None)
    ) == [
        (3, "duplicate_ward_stay"),
        (5, "duplicate_ward_stay"),
    ]
    assert result.quarantine["detail"].tolist() == ["ward stay 'S9' repeats an earlier row"] * 2


def test_month_details_quote_the_stay_dates() -> None:
    frame = ws_frame([{"stay_start": "2024-04-02"},
                      {"stay_start": "2024-01-10", "stay_end": "2024-02-20"}])  # fmt: skip
    result = validate_rows(frame, DATASET, make_trust())
    assert result.quarantine["detail"].tolist() == [
        "stay start '2024-04-02' is after the reporting month",
        "stay end '2024-02-20' is before the reporting month",
    ]


def test_stay_warnings_gender_identity_and_lda_flag() -> None:
    frame = ws_frame([{"gender_identity": "7"}, {"lda_flag": "maybe"}, {}])
    result = validate_rows(frame, DATASET, make_trust())
    assert result.quarantine.empty
    assert [(w.rule, w.count, w.example_rows) for w in result.warnings] == [
        ("flag_unrecognised", 1, (3,)),
        ("gender_identity_unrecognised", 1, (2,)),
    ]
