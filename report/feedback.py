"""Per-submission data-quality feedback a trust's data lead can act on: rows, CSV files, HTML.

Grain of `feedback_rows`: one row per (file version received, problem): the file-level rule that
rejected it, each row rule that quarantined rows (count, up to ten example row numbers with the
detail text), each warning; a file with no problem gets one row saying so. Sources are
`etl_submission` and `etl_quarantine` only, whose details have identifiers removed by
validation; the report never reads `patient_key` or any fact row.

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


def feedback_rows(data: ReportData, trust: str) -> pd.DataFrame:
    """Feedback for every file version the trust sent, oldest month first (columns `COLUMNS`)."""
    subs = data.submissions[data.submissions["trust_code"] == trust]
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
        problems = _problems(sub, data.quarantine) or [
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
