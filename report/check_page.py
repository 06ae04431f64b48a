"""The HTML page of `mhsip check --html`: the trust's feedback page layout, for files not yet sent.

Rows have the columns of `report.feedback.COLUMNS`, so the page reads like the feedback pages of
the report (`feedback_body`); every cell is escaped. Holds rules, counts, row numbers and the
validation's details only: no identifier.
"""

from __future__ import annotations

from html import escape
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from expectations.rules import RULES
from report.feedback import COLUMNS, feedback_body
from report.html import page

if TYPE_CHECKING:
    from flows.precheck import CheckReport, RuleResult


def check_rows(report: CheckReport) -> pd.DataFrame:
    """One row per (file, rule broken); a file with none gets one row saying so."""
    rows = []
    for f in report.files:
        base = {
            "trust_code": report.trust_code, "reporting_month": report.reporting_month,
            "dataset": f.dataset, "file_name": f.file_name, "status": f.decision,
            "rows_received": f.rows_received, "rows_loaded": f.rows_loaded,
            "rows_quarantined": f.rows_quarantined,
        }  # fmt: skip
        results: list[RuleResult | None] = [*f.results] or [None]
        for r in results:
            rule = r.rule if r else ""
            known = RULES.get(rule)
            rows.append(base | {
                "severity": r.severity if r else "", "rule": rule,
                "explanation": known.explanation if known else "",
                "count": r.count if r else 0,
                "example_rows": "; ".join(map(str, r.example_rows)) if r else "",
                "example_details": r.detail if r else "No problems found.",
            })  # fmt: skip
    return pd.DataFrame(rows, columns=COLUMNS)


def write_check_page(report: CheckReport, path: Path) -> Path:
    skipped = report.history_rules_skipped
    note = (
        f"History-based rules skipped ({', '.join(skipped)}): {report.history}."
        if skipped
        else f"History-based rules judged against {report.history}."
    )
    feedback = feedback_body(check_rows(report), "")
    month = report.reporting_month
    link = f' <small><a href="{month}.csv">CSV</a> <a href="{month}.xlsx">XLSX</a></small>'
    feedback = feedback.replace(link, "")  # no files beside a check
    body = f'<p class="note">{escape(note)}</p>' + feedback
    title = f"Check of {report.trust_code} {report.reporting_month} before sending"
    path.write_text(page(title, body), encoding="utf-8")
    return path
