"""Warnings built outside GX (unmapped local codes) and the quoting used in every message."""

from __future__ import annotations

from expectations.details import quote
from expectations.findings import Finding
from expectations.row_warnings import unmapped_code_findings


def test_unmapped_codes_become_one_finding_with_counts() -> None:
    unmapped = {
        "intervention_type": {"Basket hold": 2, "Wrap": 4},
        "ward_type": {},
        "gender": {"a": 1, "b": 1, "c": 1, "d": 1, "e": 1, "f": 1},
    }
    assert unmapped_code_findings(unmapped) == [
        Finding(
            "unmapped_local_code",
            "warn",
            "no mapping for local values: intervention_type 'Wrap' (4), 'Basket hold' (2);"
            " gender 'a' (1), 'b' (1), 'c' (1), 'd' (1), 'e' (1) and others",
            count=12,
        )
    ]
    assert unmapped_code_findings({"gender": {}}) == []


def test_quote_withholds_anything_like_an_nhs_number_and_cuts_long_text() -> None:
    assert quote("9990000018") == "(value withheld)"
    assert quote("ref 999-000-0018 x") == "(value withheld)"
    assert quote(None) == "blank"
    assert quote("x" * 50) == "'" + "x" * 37 + "...'"
    assert quote("2024-03-05 10:00:00") == "'2024-03-05 10:00:00'"
