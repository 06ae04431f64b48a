"""The GX suites: every expectation names a catalogue rule, and the committed JSON is fresh."""

from __future__ import annotations

from pathlib import Path

import pytest

from expectations.rules import rules_for
from expectations.suites import SUITES_FOLDER, build_suite, export_suites, suite_json
from transforms.canonical import DATASETS

# from mapping / file history / file rules / the mart refresh (linkage across both files)
NOT_IN_GX = {
    "unmapped_local_code", "sudden_drop_to_zero", "formula_like_cell", "identifier_withheld",
    "intervention_without_ward_stay", "intervention_longer_than_stay",
}  # fmt: skip


@pytest.mark.parametrize("dataset", DATASETS)
def test_committed_suite_json_is_fresh(dataset: str) -> None:
    committed = (SUITES_FOLDER / f"{dataset}.json").read_text(encoding="utf-8")
    assert committed == suite_json(dataset), (  # type: ignore[arg-type]
        "suite JSON is stale: run `python -m expectations.suites` and commit the result"
    )


@pytest.mark.parametrize("dataset", DATASETS)
def test_every_row_rule_has_an_expectation_with_its_severity(dataset: str) -> None:
    suite = build_suite(dataset)  # type: ignore[arg-type]
    seen = {}
    for expectation in suite.expectations:
        seen[(expectation.meta or {})["rule"]] = expectation.severity.value
    wanted = {
        r.name: {"quarantine_row": "critical", "warn": "warning"}[r.severity]
        for r in rules_for(dataset)  # type: ignore[arg-type]
        if r.severity != "reject_file" and r.name not in NOT_IN_GX
    }
    assert seen == wanted


def test_export_writes_one_file_per_dataset(tmp_path: Path) -> None:
    paths = export_suites(tmp_path)
    assert [p.name for p in paths] == ["restrictive_interventions.json", "ward_stays.json"]
    assert paths[1].read_text(encoding="utf-8") == suite_json("ward_stays")
