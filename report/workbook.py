"""One XLSX feedback workbook per trust-month (`feedback/<ODS>/<YYYY-MM>.xlsx`), written with
openpyxl, for a data lead to filter and annotate.

Sheets: `Summary` (one row per file version and rule: what the HTML page shows) and one sheet per
rule broken (its severity, explanation, count and the example rows with their details, one row
each). Every text cell that a spreadsheet would run as a formula is prefixed with a quote
(`report.feedback.safe_cell`) and stored as a string. The rows come from `feedback_rows`, whose
sources have identifiers removed, so the workbook holds none.
"""

from __future__ import annotations

import re
from collections.abc import Hashable, Mapping
from pathlib import Path
from typing import Any, Final

import pandas as pd

from report.feedback import COLUMNS, safe_cell

SHEET_NAME_BAD: Final = re.compile(r"[\[\]:*?/\\']")
HEADERS: Final = [c.replace("_", " ") for c in COLUMNS]


def _sheet_name(rule: str, used: set[str]) -> str:
    base = SHEET_NAME_BAD.sub("_", rule)[:31] or "rule"
    name, n = base, 2
    while name.lower() in used:
        suffix = f" ({n})"
        name, n = base[: 31 - len(suffix)] + suffix, n + 1
    used.add(name.lower())
    return name


def _cells(values: list[Any]) -> list[Any]:
    out: list[Any] = []
    for value in values:
        if value is None or (not isinstance(value, str) and pd.isna(value)):
            out.append(None)
        elif isinstance(value, str):
            out.append(safe_cell(value))
        else:
            out.append(value.item() if hasattr(value, "item") else value)
    return out


def _example_rows(row: Mapping[Hashable, Any]) -> list[list[Any]]:
    """The rule's example rows, one per line: (row number, detail)."""
    numbers = [n.strip() for n in str(row["example_rows"] or "").split(";") if n.strip()]
    details = str(row["example_details"] or "")
    parts = details.split(" | ") if row["severity"] == "quarantine_row" else [details]
    if len(parts) != len(numbers):
        return [[n, details] for n in numbers] or [["", details]]
    return [[n, d] for n, d in zip(numbers, parts, strict=True)]


def write_workbook(rows: pd.DataFrame, path: Path) -> Path:
    """The month's feedback rows (columns `COLUMNS`, one month) as a workbook at `path`."""
    from openpyxl import Workbook

    book = Workbook()
    summary = book.active
    summary.title = "Summary"
    summary.append(HEADERS)
    for record in rows[COLUMNS].to_dict("records"):
        summary.append(_cells([record[c] for c in COLUMNS]))
    used = {"summary"}
    for record in rows[rows["rule"].astype(str) != ""].to_dict("records"):
        sheet = book.create_sheet(_sheet_name(f"{record['rule']} {record['dataset'][:2]}", used))
        sheet.append(_cells(["rule", record["rule"]]))
        for label in ("severity", "dataset", "file_name", "explanation", "count"):
            sheet.append(_cells([label.replace("_", " "), record[label]]))
        sheet.append([])
        sheet.append(["example row", "detail"])
        for example in _example_rows(record):
            sheet.append(_cells([int(example[0]) if str(example[0]).isdigit() else example[0],
                                 example[1]]))  # fmt: skip
    for sheet in book.worksheets:
        for line in sheet.iter_rows():
            for cell in line:
                if isinstance(cell.value, str):
                    cell.data_type = "s"  # text, never a formula
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)
    return path


def write_workbooks(rows: pd.DataFrame, folder: Path) -> list[Path]:
    """One workbook per month under `folder` (`<folder>/<YYYY-MM>.xlsx`)."""
    return [
        write_workbook(group, folder / f"{month}.xlsx")
        for month, group in rows.groupby("reporting_month", sort=True)
    ]
