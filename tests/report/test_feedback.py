"""Feedback files and pages: each rejected file and rule, counts, examples, no identifiers."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest

from report.feedback import safe_cell
from tests.report.helpers import INJECTION_DETAIL, QUARANTINE_RULE, Published

NHS_NUMBER_LIKE = re.compile(r"(?<!\d)\d{3}[ -]?\d{3}[ -]?\d{4}(?!\d)")


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def test_quarantined_rows_by_rule_with_count_and_ten_examples(site: Path) -> None:
    rows = read_csv(site / "feedback" / "RX2" / "2024-02.csv")
    by_rule = {r["rule"]: r for r in rows}
    nhs = by_rule[QUARANTINE_RULE]
    assert (nhs["severity"], nhs["count"], nhs["status"]) == ("quarantine_row", "12", "loaded")
    assert nhs["example_rows"] == "; ".join(str(n) for n in range(40, 50))  # first ten of 12
    assert nhs["example_details"].count("row ") == 10
    assert nhs["explanation"].startswith("The NHS number fails")
    assert (nhs["rows_received"], nhs["rows_loaded"], nhs["rows_quarantined"]) == ("35", "22", "13")
    reason = by_rule["reason_unrecognised"]
    assert (reason["count"], reason["example_rows"]) == ("1", "90")
    assert reason["example_details"] == f"row 90: {INJECTION_DETAIL}"
    stays = [r for r in rows if r["dataset"] == "ward_stays"]
    assert [s["example_details"] for s in stays] == ["No problems found."]


def test_rejected_file_named_with_its_rule_and_formula_escaped(site: Path) -> None:
    rows = read_csv(site / "feedback" / "RX2" / "2024-03.csv")
    rejected = [r for r in rows if r["status"] == "rejected"]
    assert len(rejected) == 1
    row = rejected[0]
    assert row["file_name"] == "RX2-2024-03-ri-v2.csv"
    assert (row["severity"], row["rule"], row["count"]) == (
        "reject_file",
        "implausible_row_count",
        "3",
    )
    assert row["example_details"] == "'=1+2 rows against a median of 100"  # no live formula
    assert {r["status"] for r in rows} == {"loaded", "rejected"}  # the earlier good file too
    page = (site / "feedback" / "RX2" / "index.html").read_text(encoding="utf-8")
    assert "RX2-2024-03-ri-v2.csv" in page and "implausible_row_count" in page
    assert QUARANTINE_RULE in page and 'href="2024-02.csv"' in page


def test_one_csv_per_month_received_and_none_for_a_trust_without_files(site: Path) -> None:
    names = sorted(p.name for p in (site / "feedback" / "RX2").glob("*.csv"))
    assert names == [f"2023-{m:02d}.csv" for m in range(1, 13)] + [
        f"2024-{m:02d}.csv" for m in range(1, 5)
    ]
    assert list((site / "feedback" / "RWX").glob("*.csv")) == []
    assert "No files received" in (site / "feedback" / "RWX" / "index.html").read_text()


def test_no_patient_identifier_anywhere_in_the_report(site: Path, published: Published) -> None:
    files = [p for p in site.rglob("*") if p.is_file() and p.suffix in {".csv", ".html"}]
    assert len(files) > 40
    for path in files:
        text = path.read_text(encoding="utf-8-sig")
        assert not any(k in text for k in published.patient_keys), path
        assert not any(k[:12] in text for k in published.patient_keys), path
        assert not NHS_NUMBER_LIKE.search(text), (path, NHS_NUMBER_LIKE.search(text))


@pytest.mark.parametrize(
    ("cell", "expected"),
    [("=SUM(A1)", "'=SUM(A1)"), ("+1", "'+1"), ("-1", "'-1"), ("@cmd", "'@cmd"),
     ("\tx", "'\tx"), ("row 2: =x", "row 2: =x"), ("", ""), (5, 5), (None, None)],
)  # fmt: skip
def test_safe_cell(cell: object, expected: object) -> None:
    assert safe_cell(cell) == expected
