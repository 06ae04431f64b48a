"""File-level rules fire exactly at their boundaries; nil returns are exempt where specified."""

from __future__ import annotations

from datetime import date
from typing import Final

import pytest

from expectations.file_rules import FileHistory, check_file
from tests.expectations.helpers import make_trust, ri_frame, ws_frame
from transforms.canonical import Dataset

RI: Final[Dataset] = "restrictive_interventions"
WS: Final[Dataset] = "ward_stays"
SHA = "ab" * 32
MARCH = date(2024, 3, 1)
IN_MONTH: dict = {}
OUT_OF_MONTH = {"start": "2024-01-05 10:00:00", "end": "2024-01-05 11:00:00"}


def rules(findings: list) -> list[str]:
    return [f.rule for f in findings]


def history(counts: list[int], months: int | None = None, **kw: object) -> FileHistory:
    return FileHistory(recent_row_counts=counts,
                       months_with_history=len(counts) if months is None else months,
                       **kw)  # type: ignore[arg-type]  # fmt: skip


@pytest.mark.parametrize(("inside", "rejected"), [(89, True), (90, False)])
def test_wrong_reporting_month_at_90_percent(inside: int, rejected: bool) -> None:
    frame = ri_frame([IN_MONTH] * inside + [OUT_OF_MONTH] * (100 - inside))
    findings = check_file(frame, RI, make_trust(), SHA, FileHistory(), reporting_month=MARCH)
    assert rules(findings) == (["wrong_reporting_month"] if rejected else [])
    if rejected:
        (finding,) = findings
        assert finding.severity == "reject_file"
        assert finding.detail == (
            "only 89% of rows (89 of 100) have a start, end or open period in 2024-03;"
            " expected at least 90%"
        )
        assert finding.count == 11
        assert finding.example_rows == tuple(range(91, 101))


def test_rows_without_a_start_do_not_count_towards_the_month_share() -> None:
    frame = ri_frame([IN_MONTH] * 9 + [{"start": None}] * 5 + [OUT_OF_MONTH])
    assert check_file(frame, RI, make_trust(), SHA, FileHistory()) == []


def test_stays_are_in_month_when_they_overlap_it() -> None:
    frame = ws_frame([{}] * 8 + [{"stay_start": "2024-05-01"}] * 2)
    (finding,) = check_file(frame, WS, make_trust(), SHA, FileHistory())
    assert finding.rule == "wrong_reporting_month"
    assert finding.detail.startswith("only 80% of rows (8 of 10) have a stay in the reporting")


@pytest.mark.parametrize(("rows", "rejected"), [(19, True), (20, False), (500, False), (501, True)])
def test_implausible_row_count_at_20_and_500_percent_of_median(rows: int, rejected: bool) -> None:
    frame = ri_frame([IN_MONTH] * rows)
    past = history([100, 90, 110, 100, 300, 5])  # median 100
    findings = check_file(frame, RI, make_trust(), SHA, past)
    assert rules(findings) == (["implausible_row_count"] if rejected else [])


def test_implausible_row_count_detail_names_the_numbers() -> None:
    frame = ri_frame([IN_MONTH] * 312)
    (finding,) = check_file(frame, RI, make_trust(), SHA, history([20, 18, 22]))
    assert finding.detail.startswith("312 rows against a median of 20 for the last 3 months")


def test_row_count_needs_three_months_of_history_and_respects_the_accept_flag() -> None:
    frame = ri_frame([IN_MONTH] * 2)
    assert check_file(frame, RI, make_trust(), SHA, history([100, 100])) == []
    assert rules(check_file(frame, RI, make_trust(), SHA, history([100, 100, 100]))) == [
        "implausible_row_count"
    ]
    accepting = make_trust(accept_row_count_change=True)
    assert check_file(frame, RI, accepting, SHA, history([100, 100, 100])) == []


def test_duplicate_of_another_month_rejects_but_a_nil_return_is_exempt() -> None:
    seen = history([], loaded_hashes_other_months={SHA})
    (finding,) = check_file(ri_frame([IN_MONTH]), RI, make_trust(), SHA, seen)
    assert (finding.rule, finding.severity) == ("duplicate_of_other_month", "reject_file")
    assert check_file(ri_frame([IN_MONTH]), RI, make_trust(), "cd" * 32, seen) == []
    assert check_file(ri_frame([]), RI, make_trust(), SHA, seen) == []


def test_nil_return_is_not_an_implausible_count_but_warns_after_busy_months() -> None:
    busy = FileHistory(recent_row_counts=[30, 40, 35], months_with_history=3,
                       recent_intervention_counts=[30, 40, 35])  # fmt: skip
    (finding,) = check_file(ri_frame([]), RI, make_trust(), SHA, busy, reporting_month=MARCH)
    assert (finding.rule, finding.severity) == ("sudden_drop_to_zero", "warn")
    assert finding.detail == (
        "nil return for 2024-03, where the last 3 months had a median of 35 interventions"
    )
    quiet = FileHistory(recent_intervention_counts=[0, 0, 2])
    assert check_file(ri_frame([]), RI, make_trust(), SHA, quiet) == []


def test_empty_ward_stays_file_is_rejected() -> None:
    (finding,) = check_file(ws_frame([]), WS, make_trust(), SHA, FileHistory())
    assert (finding.rule, finding.severity) == ("empty_ward_stays", "reject_file")


def test_formula_like_cells_are_counted_per_column_and_row() -> None:
    frame = ri_frame([
        {},
        {"ward_code": "=HYPERLINK(\"http://x\")", "reason": "+cmd"},
        {"incident_id": "@SUM(A1)"},
        {"ward_code": "-A1", "reason": "-1"},  # a sign before a digit is a number
    ])  # fmt: skip
    findings = check_file(frame, RI, make_trust(), "sha", FileHistory())
    formula = [f for f in findings if f.rule == "formula_like_cell"]
    assert len(formula) == 1
    assert formula[0].count == 3
    assert formula[0].example_rows == (3, 4, 5)
    assert "incident_id (1), ward_code (2), reason (1)" in formula[0].detail


def test_a_median_of_zero_rows_gives_no_row_count_judgement() -> None:
    """Recent nil returns (found by the soak: a division by zero failed the trust's chunk)."""
    frame = ri_frame([IN_MONTH] * 5)
    assert check_file(frame, RI, make_trust(), SHA, history([0, 0, 3, 0, 0])) == []
