"""`mhsip check` decides what the nightly decides, writes nothing and shows no identifier.

The comparison is with what the real nightly flow did to the same files (etl_submission and
etl_quarantine), never with a fixed list of rules, so it keeps holding as rules change.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from tests.flows.helpers import snapshot

pytestmark = pytest.mark.slow

TRUSTS = ["RJ8", "RH5", "RWV"]  # csv, parquet, xlsx with a title row
MONTHS = 5
SHORT = ("RJ8", "2024-05")  # cut to a few rows: implausible only against the trust's history


def _cut_to_a_few_rows(path: Path) -> None:
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    path.write_text("".join(lines[:4]), encoding="utf-8")


@pytest.fixture(scope="module")
def landed(tmp_path_factory, registry, prefect_server):
    from synthetic import generate

    root = tmp_path_factory.mktemp("check")
    landing, home = root / "landing", root / "home"
    generate(landing, registry, date(2024, 1, 1), MONTHS, TRUSTS, scale=0.15, seed=11)
    short = next((landing / SHORT[0] / SHORT[1]).glob("*intervention*"))
    _cut_to_a_few_rows(short)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("MHSIP_HOME", str(home))
        mp.setenv("MHSIP_LANDING", str(landing))
        mp.setenv("MHSIP_PSEUDONYMISATION_KEY", "test-key-not-a-secret")
        mp.setenv("MHSIP_MAX_WORKERS", "2")
        from flows.nightly import nightly_flow

        nightly_flow()
    yield {"landing": landing, "home": home, "tables": snapshot(home / "warehouse" /
                                                                 "mhsip.duckdb")}  # fmt: skip


def _month_files(landing: Path) -> dict[tuple[str, str], list[Path]]:
    return {
        (folder.parent.name, folder.name): sorted(folder.iterdir())
        for folder in sorted(landing.glob("*/*"))
        if folder.is_dir()
    }


def _nightly_decision(tables: dict[str, pd.DataFrame], submission_id: str) -> dict:
    sub = tables["etl_submission"].set_index("submission_id").loc[submission_id]
    quarantine = tables["etl_quarantine"]
    mine = quarantine[quarantine["submission_id"] == submission_id]
    return {
        "status": sub["status"],
        "rejection_rule": sub["rejection_rule"] if sub["status"] == "rejected" else None,
        "rows_loaded": int(sub["rows_loaded"]),
        "rows_quarantined": int(sub["rows_quarantined"]),
        "quarantined": {
            str(r): sorted(set(g["source_row_number"].astype(int))) for r, g in mine.groupby("rule")
        },
        "warnings": sorted(
            (w["rule"], w["count"], tuple(w["example_rows"]))
            for w in json.loads(sub["warnings"] or "[]")
        ),
    }


def _check_decision(file) -> dict:
    return {
        "status": "rejected" if file.decision == "rejected" else "loaded",
        "rejection_rule": file.rejection_rule,
        "rows_loaded": file.rows_loaded,
        "rows_quarantined": file.rows_quarantined,
        "quarantined": file.quarantined_by_rule,
        "warnings": sorted(
            (r.rule, r.count, r.example_rows) for r in file.results if r.severity == "warn"
        ),
    }


def _history(home: Path, trust: str):
    from warehouse.read_only import read_only
    from warehouse.reads import trust_history_from

    with read_only(home / "operators" / "mhsip-operators-full.duckdb") as read:
        return trust_history_from(read, trust)


def test_check_decides_every_file_as_the_nightly_did(landed, registry) -> None:
    from flows.precheck import run_check, submission_files

    tables, compared, rejected_rules = landed["tables"], 0, set()
    for (trust, month), paths in _month_files(landed["landing"]).items():
        files = submission_files(paths, registry, trust, date.fromisoformat(f"{month}-01"))
        report = run_check(files, registry, history=_history(landed["home"], trust),
                           history_source="the published warehouse")  # fmt: skip
        assert report.history_rules_skipped == []
        for file in report.files:
            expected = _nightly_decision(tables, file.submission_id)
            assert _check_decision(file) == expected, (trust, month, file.dataset)
            compared += 1
            rejected_rules.add(file.rejection_rule)
    assert compared == len(tables["etl_submission"])
    # the planted faults reached both severities, and one needed the history to be seen
    assert "implausible_row_count" in rejected_rules and len(rejected_rules - {None}) >= 3
    assert tables["etl_quarantine"]["rule"].nunique() >= 3


def test_without_a_warehouse_the_history_rules_are_said_to_be_skipped(landed, registry) -> None:
    from flows.precheck import run_check, submission_files

    paths = _month_files(landed["landing"])[SHORT]
    files = submission_files(paths, registry, SHORT[0], date.fromisoformat(f"{SHORT[1]}-01"))
    report = run_check(files, registry)
    assert "implausible_row_count" in report.history_rules_skipped
    assert "no warehouse" in report.history
    ri = next(f for f in report.files if f.dataset == "restrictive_interventions")
    assert ri.decision != "rejected"


def _identifiers(paths: list[Path], registry, trust: str) -> set[str]:
    from transforms.read import read_table

    found: set[str] = set()
    config = registry.trust(trust)
    for path in paths:
        dataset = "ward_stays" if "stay" in path.name.lower() else "restrictive_interventions"
        raw = read_table(path.read_bytes(), path.name, config)
        for field in ("nhs_number", "local_patient_id"):
            header = config.header_for(dataset, field)
            if header in raw.columns:
                found |= {v for v in raw[header].dropna().astype(str) if len(v) >= 4}
    return found


def test_the_command_line_writes_nothing_and_prints_no_identifier(landed, registry, tmp_path):
    """Run as a data lead would: pip-installed command, no MHSIP_HOME, a fresh home and cwd."""
    trust, month = "RWV", "2024-02"
    paths = _month_files(landed["landing"])[(trust, month)]
    home, cwd, tmp = tmp_path / "home", tmp_path / "cwd", tmp_path / "tmp"
    for folder in (home, cwd, tmp):
        folder.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MHSIP_", "PREFECT_"))}
    env |= {"HOME": str(home), "TMPDIR": str(tmp), "COLUMNS": "80"}
    page = tmp_path / "check.html"
    args = [sys.executable, "-m", "mhsip", "check", *map(str, paths), "--trust", trust,
            "--month", month]  # fmt: skip
    shown = subprocess.run([*args, "--html", str(page)], capture_output=True, text=True,
                           env=env, cwd=cwd, timeout=300)  # fmt: skip
    as_json = subprocess.run([*args, "--json"], capture_output=True, text=True, env=env,
                             cwd=cwd, timeout=300)  # fmt: skip
    report = json.loads(as_json.stdout)
    assert shown.returncode == as_json.returncode == report["exit_status"]
    assert report["exit_status"] in (1, 2)  # the generated month carries faults
    assert "skipped" in shown.stdout and trust in shown.stdout
    written = sorted(p for folder in (home, cwd, tmp) for p in folder.rglob("*"))
    assert written == [], "mhsip check wrote files"
    text = shown.stdout + shown.stderr + as_json.stdout + as_json.stderr + page.read_text()
    identifiers = _identifiers(paths, registry, trust)
    assert len(identifiers) > 20
    leaked = sorted(i for i in identifiers if i in text)
    assert leaked == []
    for file in report["files"]:
        for result in file["results"]:
            assert result["rule"] in page.read_text()


def test_the_command_line_judges_history_against_the_configured_warehouse(landed) -> None:
    paths = _month_files(landed["landing"])[SHORT]
    env = {k: v for k, v in os.environ.items() if not k.startswith("MHSIP_")}
    env |= {"MHSIP_HOME": str(landed["home"])}
    done = subprocess.run([sys.executable, "-m", "mhsip", "check", *map(str, paths), "--trust",
                           SHORT[0], "--month", SHORT[1], "--json"], capture_output=True,
                          text=True, env=env, timeout=300)  # fmt: skip
    report = json.loads(done.stdout)
    assert done.returncode == 2 == report["exit_status"]
    assert report["history_rules_skipped"] == [] and "operators' copy" in report["history"]
    rules = {f["dataset"]: f["rejection_rule"] for f in report["files"]}
    assert rules["restrictive_interventions"] == "implausible_row_count"


def test_could_not_run_exits_3(tmp_path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MHSIP_")}
    some = tmp_path / "x_interventions.csv"
    some.write_text("a\n")
    for args in (["--trust", "NOPE", "--month", "2024-01", str(some)],
                 ["--trust", "RJ8", "--month", "2024-13", str(some)],
                 ["--trust", "RJ8", str(some)], ["--trust", "RJ8", "--bogus"],
                 ["--trust", "RJ8", "--month", "2024-01", "--config", str(tmp_path), str(some)],
                 ["--trust", "RJ8", "--month", "2024-01", str(tmp_path / "no.csv")]):  # fmt: skip
        done = subprocess.run([sys.executable, "-m", "mhsip", "check", *args], env=env,
                              capture_output=True, text=True, timeout=120)  # fmt: skip
        assert done.returncode == 3, (args, done.stderr)
