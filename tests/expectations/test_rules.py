"""The rule catalogue: complete, readable names, one plain sentence each."""

from __future__ import annotations

import re

from expectations.rules import RULES, rules_for, rules_markdown

EXPECTED = {
    "reject_file": {
        "file_unreadable", "file_empty", "duplicate_columns", "missing_required_columns",
        "wrong_reporting_month", "implausible_row_count", "duplicate_of_other_month",
        "empty_ward_stays", "file_too_large", "unsafe_file_name", "symlink_outside_landing",
        "symlink_not_followed",
        "too_many_columns",
    },
    "quarantine_row": {
        "incident_id_missing", "intervention_id_missing", "duplicate_intervention",
        "ward_stay_id_missing", "duplicate_ward_stay", "intervention_type_invalid",
        "start_missing_or_invalid", "end_invalid", "end_before_start", "outside_reporting_month",
        "stay_start_missing_or_invalid", "stay_start_after_month_end", "stay_end_invalid",
        "stay_end_before_stay_start", "stay_end_before_month_start",
        "identifier_in_key_column",
        "excel_error_cell", "start_before_1900", "duration_implausible", "end_after_arrival",
    },
    "warn": {
        "gender_unrecognised", "gender_identity_unrecognised", "lsoa_malformed",
        "reason_unrecognised", "flag_unrecognised", "restraint_over_24_hours",
        "ethnicity_not_stated_high", "unmapped_local_code", "sudden_drop_to_zero",
        "formula_like_cell",
        "identifier_withheld",
        # a bad demographic or location field becomes Unknown and the row loads (issue 12)
        "patient_id_missing", "nhs_number_invalid", "date_of_birth_missing_or_invalid",
        "date_of_birth_after_event", "age_over_120", "ethnic_category_invalid",
        "ward_code_missing",
        "intervention_without_ward_stay",  # checked across both files when marts are built
        "intervention_longer_than_stay",  # likewise
    },
}  # fmt: skip


def test_catalogue_holds_exactly_the_specified_rules_with_their_severity() -> None:
    got: dict[str, set[str]] = {}
    for rule in RULES.values():
        got.setdefault(rule.severity, set()).add(rule.name)
    assert got == EXPECTED


def test_names_are_snake_case_and_explanations_one_sentence() -> None:
    for name, rule in RULES.items():
        assert name == rule.name
        assert re.fullmatch(r"[a-z][a-z0-9]*(_[a-z0-9]+)*", name), name
        assert rule.explanation.endswith("."), name
        assert rule.explanation.count(". ") == 0, name


def test_rules_for_filters_by_dataset_and_severity() -> None:
    stays = {r.name for r in rules_for("ward_stays", "quarantine_row")}
    assert "duplicate_ward_stay" in stays
    assert "duplicate_intervention" not in stays
    assert "stay_end_before_stay_start" in stays
    assert "nhs_number_invalid" in {r.name for r in rules_for("ward_stays", "warn")}


def test_markdown_has_a_row_per_rule() -> None:
    lines = rules_markdown().splitlines()
    assert lines[0] == "| rule | severity | dataset | what is wrong and how to fix it |"
    assert len(lines) == 2 + len(RULES)
    assert lines[2].startswith("| `file_unreadable` | reject_file | both | ")
