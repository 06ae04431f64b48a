"""Per-submission data-quality feedback a trust's data lead can act on: rows, CSV files, HTML.

Grain of `feedback_rows`: one row per (file version received, problem): the file-level rule that
rejected it, each row rule that quarantined rows (count, up to ten example row numbers with the
detail text), each warning (the cross-file checks `intervention_without_ward_stay` and
`intervention_longer_than_stay` on the loaded interventions file, from mart_trust_month's
counts); a file with no problem gets one row saying so. Sources are `etl_submission`,
`etl_quarantine` and mart_trust_month, whose details have identifiers removed; the report never
reads `patient_key` or any fact row.

CSV cells that begin with =, +, -, @, tab or carriage return are prefixed with a quote (')
so a spreadsheet shows them as text instead of running them as formulas (CSV injection).
"""

from __future__ import annotations

import csv
import json
from collections.abc import Hashable, Mapping
from html import escape
from pathlib import Path
from typing import Any, Final

import pandas as pd

from expectations.rules import RULES
from report.data import ReportData
from report.html import table

COLUMNS: Final = [
    "trust_code",
    "reporting_month",
    "dataset",
    "file_name",
    "status",
    "rows_received",
    "rows_loaded",
    "rows_quarantined",
    "severity",
    "rule",
    "explanation",
    "count",
    "example_rows",
    "example_details",
]
FORMULA_STARTS: Final = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> object:
    """A text cell that cannot become a live spreadsheet formula; other values unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _explain(rule: str) -> str:
    known = RULES.get(rule)
    return known.explanation if known else ""


def _problems(sub: Mapping[Hashable, Any], quarantine: pd.DataFrame) -> list[dict[str, Any]]:
    problems: list[dict[str, Any]] = []
    if sub["status"] == "rejected":
        problems.append(
            {
                "severity": "reject_file",
                "rule": sub["rejection_rule"] or "",
                "count": sub["rows_received"],
                "example_rows": "",
                "example_details": sub["rejection_reason"] or "",
            }
        )
    mine = quarantine[quarantine["submission_id"] == sub["submission_id"]]
    for rule, rows in mine.groupby("rule", sort=True):
        numbers = [str(int(n)) for n in rows["source_row_number"].dropna()]
        details = [
            f"row {int(n)}: {d}"
            for n, d in zip(rows["source_row_number"], rows["detail"].fillna(""), strict=True)
        ]
        problems.append(
            {
                "severity": "quarantine_row",
                "rule": str(rule),
                "count": int(rows["rows_for_rule"].iloc[0]),
                "example_rows": "; ".join(numbers),
                "example_details": " | ".join(details),
            }
        )
    for warning in json.loads(sub["warnings"] or "[]"):
        problems.append(
            {
                "severity": "warn",
                "rule": warning.get("rule", ""),
                "count": warning.get("count", ""),
                "example_rows": "; ".join(str(r) for r in warning.get("example_rows", [])),
                "example_details": warning.get("detail", ""),
            }
        )
    return problems


LINKAGE_RULE: Final = "intervention_without_ward_stay"
STAY_RULE: Final = "intervention_longer_than_stay"
CROSS_FILE: Final = {
    LINKAGE_RULE: ("interventions_without_ward_stay", ("interventions",),
                   "{count} of {total} interventions have no ward stay of the same patient"
                   " overlapping their start in this month's ward stays file"),
    STAY_RULE: ("interventions_longer_than_stay",
                ("interventions_seclusion", "interventions_segregation"),
                "{count} of {total} seclusions and segregations do not fit inside a ward stay"
                " of the same patient in this month's ward stays file"),
}  # fmt: skip
"""Warnings checked across the two files of a trust-month when the marts are built: rule ->
(mart_trust_month count column, columns summed for the total, detail text)."""


def _linkage(
    sub: Mapping[Hashable, Any], found: Mapping[str, Mapping[str, tuple[int, int]]]
) -> list[dict]:
    """The cross-file warnings (`CROSS_FILE`) for the loaded interventions file of a month with
    both files: they are checked when the marts are built (mart_trust_month), not per file."""
    if sub["dataset"] != "restrictive_interventions" or sub["status"] != "loaded":
        return []
    month = f"{pd.Timestamp(sub['reporting_month']):%Y-%m}"
    out = []
    for rule, (_, _, text) in CROSS_FILE.items():
        counted = found.get(rule, {}).get(month)
        if not counted or not counted[0]:
            continue
        count, total = counted
        out.append({"severity": "warn", "rule": rule, "count": count, "example_rows": "",
                    "example_details": text.format(count=count, total=total)})  # fmt: skip
    return out


def _cross_file_by_month(data: ReportData, trust: str) -> dict[str, dict[str, tuple[int, int]]]:
    tm = data.trust_month
    out: dict[str, dict[str, tuple[int, int]]] = {}
    for rule, (column, totals, _) in CROSS_FILE.items():
        if column not in tm.columns or not set(totals) <= set(tm.columns):
            continue
        mine = tm[(tm["trust_code"] == trust) & tm[column].notna()]
        total = mine[list(totals)].fillna(0).sum(axis=1)
        out[rule] = {
            f"{pd.Timestamp(m):%Y-%m}": (int(n), int(t))
            for m, n, t in zip(mine["reporting_month"], mine[column], total, strict=True)
        }
    return out


def feedback_rows(data: ReportData, trust: str) -> pd.DataFrame:
    """Feedback for every file version the trust sent, oldest month first (columns `COLUMNS`)."""
    subs = data.submissions[data.submissions["trust_code"] == trust]
    unlinked = _cross_file_by_month(data, trust)
    out: list[dict[str, Any]] = []
    for sub in subs.to_dict("records"):
        base = {
            c: sub[c]
            for c in (
                "trust_code",
                "dataset",
                "file_name",
                "status",
                "rows_received",
                "rows_loaded",
                "rows_quarantined",
            )
        }
        base["reporting_month"] = f"{pd.Timestamp(sub['reporting_month']):%Y-%m}"
        found = _problems(sub, data.quarantine) + _linkage(sub, unlinked)
        problems = found or [
            {
                "severity": "",
                "rule": "",
                "count": 0,
                "example_rows": "",
                "example_details": "No problems found.",
            }
        ]
        out += [base | p | {"explanation": _explain(p["rule"])} for p in problems]
    return pd.DataFrame(out, columns=COLUMNS)


def write_feedback_files(rows: pd.DataFrame, folder: Path) -> list[Path]:
    """One CSV per month under `folder` (`<folder>/<YYYY-MM>.csv`), UTF-8 with BOM for Excel."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for month, group in rows.groupby("reporting_month", sort=True):
        path = folder / f"{month}.csv"
        with path.open("w", newline="", encoding="utf-8-sig") as handle:
            writer = csv.writer(handle)
            writer.writerow(COLUMNS)
            for record in group[COLUMNS].itertuples(index=False):
                writer.writerow([safe_cell(v) for v in record])
        paths.append(path)
    return paths


def feedback_body(rows: pd.DataFrame, trust_name: str) -> str:
    """The feedback page: per month, every file version and every rule broken."""
    if rows.empty:
        return f"<p>No files received from {escape(trust_name)} yet.</p>"
    parts = [
        '<p class="note">Row numbers are as you see them in your file (header row '
        "included). Download a month's feedback as CSV or as an XLSX workbook from the links "
        "beside it.</p>"
    ]
    headers = [
        "Dataset",
        "File",
        "Status",
        "Received",
        "Loaded",
        "Quarantined",
        "Severity",
        "Rule",
        "What to do",
        "Rows",
        "Example rows",
        "Details",
    ]
    for month, group in rows.groupby("reporting_month", sort=True):
        parts.append(
            f'<h2>{escape(str(month))} <small><a href="{escape(str(month))}.csv">'
            f'CSV</a> <a href="{escape(str(month))}.xlsx">XLSX</a></small></h2>'
        )
        cells = [
            [
                r["dataset"],
                r["file_name"],
                r["status"],
                r["rows_received"],
                r["rows_loaded"],
                r["rows_quarantined"],
                r["severity"],
                r["rule"],
                r["explanation"],
                r["count"],
                r["example_rows"],
                r["example_details"],
            ]
            for r in group.to_dict("records")
        ]
        parts.append(table(headers, cells, numeric={3, 4, 5, 9}))
    return "".join(parts)
