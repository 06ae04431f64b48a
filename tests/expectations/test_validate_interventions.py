"""validate_rows on restrictive_interventions: each row rule catches exactly its fault rows."""

from __future__ import annotations

from typing import Final

import pandas as pd

from expectations.rules import RULES
from expectations.validate import validate_rows
from tests.expectations.helpers import FAULTS, make_trust, ri_frame
from transforms.canonical import Dataset

DATASET: Final[Dataset] = "restrictive_interventions"


def test_each_row_rule_catches_exactly_its_row() -> None:
    """Rows that cannot be counted are quarantined; a bad demographic or location field (the
    rules demoted to warnings in issue 12) loads the row and names it in a warning instead."""
    frame = ri_frame([{}] + [fault for fault, _ in FAULTS])
    result = validate_rows(frame, DATASET, make_trust())
    rows = [(n + 3, rule) for n, (_, rule) in enumerate(FAULTS)]
    got = list(result.quarantine[["source_row_number", "rule"]].itertuples(index=False, name=None))
    assert got == [(row, rule) for row, rule in rows if RULES[rule].severity == "quarantine_row"]
    warned: dict[str, list[int]] = {}
    for row, rule in rows:
        if RULES[rule].severity == "warn":
            warned.setdefault(rule, []).append(row)
    assert {w.rule: list(w.example_rows) for w in result.warnings} == warned
    loaded = [2, *sorted(r for rs in warned.values() for r in rs)]
    assert result.valid["source_row_number"].tolist() == loaded


def test_clean_rows_all_pass_with_same_columns() -> None:
    frame = ri_frame([
        {},
        {"end": None, "intervention_type": "05"},
        {"start": "2024-02-29 23:00:00", "end": "2024-03-01 00:10:00"},
    ])  # fmt: skip
    result = validate_rows(frame, DATASET, make_trust())
    assert result.quarantine.empty
    assert list(result.quarantine.columns) == ["source_row_number", "rule", "detail"]
    pd.testing.assert_frame_equal(result.valid, frame)
    assert result.warnings == []
    assert result.results["evaluated_expectations"] == 40
    assert result.results["successful_expectations"] == 40


def test_duplicates_quarantine_all_copies_but_the_first() -> None:
    frame = ri_frame([{"intervention_id": "A"}, {"intervention_id": "B"},
                      {"intervention_id": "A"}, {"intervention_id": "A"}])  # fmt: skip
    result = validate_rows(frame, DATASET, make_trust())
    assert result.quarantine["source_row_number"].tolist() == [4, 5]
    assert set(result.quarantine["rule"]) == {"duplicate_intervention"}
    assert result.valid["source_row_number"].tolist() == [2, 3]


def test_valid_and_quarantine_partition_the_input_with_a_non_unique_index() -> None:
    faults = [fault for fault, _ in FAULTS] + [{"start": None, "ethnic_category": "Q"}]
    frame = ri_frame([{}, {}, *faults])
    frame.index = [7] * len(frame)  # validate_rows must not rely on the caller's index
    result = validate_rows(frame, DATASET, make_trust())
    valid = set(result.valid["source_row_number"])
    quarantined = set(result.quarantine["source_row_number"])
    assert valid.isdisjoint(quarantined)
    assert valid | quarantined == set(frame["source_row_number"])
    assert len(result.valid) + len(quarantined) == len(frame)
    assert result.quarantine.duplicated(["source_row_number", "rule"]).sum() == 0
    last = result.quarantine[result.quarantine["source_row_number"] == len(frame) + 1]
    # the bad ethnicity is a warning now (issue 12): only the missing start quarantines
    assert last["rule"].tolist() == ["start_missing_or_invalid"]


def test_details_quote_the_value_and_withhold_identifiers() -> None:
    synthetic_nhs = "999 000 0018"
    frame = ri_frame([
        {"intervention_type": "02"},
        {"nhs_number_status": "invalid", "patient_key": "f00d" * 16},
        {"date_of_birth": "2024-03-09"},
        {"date_of_birth": "1890-07-04"},
        {"start": synthetic_nhs},  # a shifted column must not leak an NHS number
        {"end": "2024-03-05 09:00:00"},
        {"start": "2024-04-02 08:00:00", "end": None},
        {"start": "2024-01-02 08:00:00", "end": "2024-01-02 08:30:00"},
    ])  # fmt: skip
    result = validate_rows(frame, DATASET, make_trust())
    q = result.quarantine
    details = dict(zip(q["source_row_number"], q["detail"], strict=True))
    assert details[2] == "intervention type '02' is not a national code (01, 04-17)"
    assert details[6] == "start (value withheld) is not a date and time"
    assert details[7] == "end '2024-03-05 09:00:00' is before start '2024-03-05 10:00:00'"
    assert details[8] == "start '2024-04-02 08:00:00' is after the reporting month"
    assert details[9] == (
        "start '2024-01-02 08:00:00' and end '2024-01-02 08:30:00' are outside the reporting month"
    )
    # rows 3-5 load now (issue 12): their warnings name the field and withhold the value
    warned = {w.rule: w for w in result.warnings}
    assert warned["nhs_number_invalid"].example_rows == (3,)
    assert warned["nhs_number_invalid"].detail == (
        "1 rows: nhs_number (value withheld) fails the modulus 11 check; treated as absent, the"
        " local patient id identifies the person"
    )
    assert warned["date_of_birth_after_event"].example_rows == (4,)
    assert warned["age_over_120"].detail.endswith("loaded with age band Unknown")
    text = " ".join([*result.quarantine["detail"], *(w.detail for w in result.warnings)])
    for secret in ("f00d", "kkkk", "1990-06-15", "2024-03-09", "1890-07-04", "0018", "999"):
        assert secret not in text


def test_warnings_count_rows_and_give_examples() -> None:
    frame = ri_frame([
        {},
        {"gender": "M"},
        {"gender": "M", "lsoa": "SW1A 1AA"},
        {"injury_staff": "Yes", "lda_flag": "U"},
        {"reason": "42"},
        {"start": "2024-03-01 00:00:00", "end": "2024-03-02 00:01:00"},
        {"start": "2024-03-01 00:00:00", "end": "2024-03-03 00:00:00", "intervention_type": "05"},
    ])  # fmt: skip
    result = validate_rows(frame, DATASET, make_trust())
    assert result.quarantine.empty
    got = {w.rule: (w.count, w.example_rows, w.detail) for w in result.warnings}
    assert got == {
        "gender_unrecognised": (2, (3, 4), "gender 'M' (2); loaded as X (not known)"),
        "lsoa_malformed": (1, (4,), "lsoa 'SW1A 1AA' (1); loaded as blank"),
        "flag_unrecognised": (
            1, (5,), "injury_staff 'Yes' (1); lda_flag 'U' (1); loaded as blank"
        ),
        "reason_unrecognised": (1, (6,), "reason '42' (1); loaded as blank"),
        "restraint_over_24_hours": (
            1, (7,), "1 physical or chemical restraint rows last longer than 24 hours"
            " (longest 1,441 minutes)",
        ),
    }  # fmt: skip
    assert all(w.severity == "warn" for w in result.warnings)


def test_ethnicity_not_stated_warns_above_the_trusts_share_only() -> None:
    rows = [{"ethnic_category": "Z"}, {"ethnic_category": "99"}] + [{}] * 8  # 20% unknown
    at_share = validate_rows(ri_frame(rows), DATASET, make_trust())
    assert at_share.warnings == []
    above = validate_rows(ri_frame([{"ethnic_category": "Z"}, *rows]), DATASET, make_trust())
    (finding,) = above.warnings
    assert finding.rule == "ethnicity_not_stated_high"
    assert finding.count == 3
    assert finding.example_rows == (2, 3, 4)
    assert finding.detail.startswith("27% of rows (3 of 11) have ethnic category Z")
    relaxed = validate_rows(ri_frame([{"ethnic_category": "Z"}, *rows]), DATASET,
                            make_trust(ethnicity_unknown_warn_share=0.3))  # fmt: skip
    assert relaxed.warnings == []


def test_nil_return_validates_to_nothing() -> None:
    result = validate_rows(ri_frame([]), DATASET, make_trust())
    assert result.valid.empty and result.quarantine.empty and result.warnings == []
