"""The submission and data-quality matrix: trusts x months, from etl_submission.

Each cell shows the latest received version of each dataset for that trust-month (the same rule
as `mhsip status`: a rejected resubmission shows as rejected, because the operator needs to see
it, even while the earlier good version still serves the facts). RI = restrictive interventions,
WS = ward stays; a mark per dataset: loaded, loaded with quarantined rows (count), rejected
(rule), or nothing received.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from typing import Final

import pandas as pd

SHORT: Final = {"restrictive_interventions": "RI", "ward_stays": "WS"}


def latest_versions(submissions: pd.DataFrame) -> pd.DataFrame:
    """The latest received version per (trust, month, dataset)."""
    if submissions.empty:
        return submissions
    ordered = submissions.sort_values(["received_at", "processed_at", "submission_id"])
    keys = ["trust_code", "reporting_month", "dataset"]
    return ordered.drop_duplicates(keys, keep="last").reset_index(drop=True)


def _mark(row: pd.Series | None, dataset: str) -> tuple[str, str]:
    short = SHORT[dataset]
    if row is None:
        return "missing", f"{short} &middot;"
    if row["status"] == "rejected":
        return "rejected", f"{short} &#10007; {escape(str(row['rejection_rule'] or ''))}"
    quarantined = int(row["rows_quarantined"] or 0)
    if quarantined:
        return "quarantined", f"{short} &#10003; {quarantined} quarantined"
    return "loaded", f"{short} &#10003;"


def _cell(latest: dict[tuple[str, str, str], pd.Series], trust: str, month: str) -> str:
    marks = [_mark(latest.get((trust, month, d)), d) for d in SHORT]
    worst = next(
        (k for k in ("rejected", "quarantined", "missing") if k in {m for m, _ in marks}), "loaded"
    )
    return f'<td class="cell-{worst}">{"<br>".join(text for _, text in marks)}</td>'


def matrix_html(submissions: pd.DataFrame, trusts: Sequence[tuple[str, str]]) -> str:
    """The matrix table for (code, name) trusts over every month any submission names."""
    latest_rows = latest_versions(submissions)
    latest = {
        (str(r["trust_code"]), f"{pd.Timestamp(r['reporting_month']):%Y-%m}", str(r["dataset"])): r
        for _, r in latest_rows.iterrows()
    }
    months = sorted({month for _, month, _ in latest})
    if not months:
        return "<p>No submissions received yet.</p>"
    head = "".join(f"<th>{m}</th>" for m in months)
    body = []
    for code, name in trusts:
        href = f"feedback/{escape(code)}/index.html"
        link = f'<a href="{href}" title="{escape(name)}">{escape(code)}</a>'
        cells = "".join(_cell(latest, code, m) for m in months)
        body.append(f"<tr><th>{link}</th>{cells}</tr>")
    legend = (
        '<p class="legend"><span class="cell-loaded">&#10003; loaded</span> '
        '<span class="cell-quarantined">&#10003; loaded, rows quarantined</span> '
        '<span class="cell-rejected">&#10007; rejected (rule)</span> '
        '<span class="cell-missing">&middot; nothing received</span></p>'
    )
    return (
        f'{legend}<table class="matrix"><thead><tr><th>Trust</th>{head}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table>"
    )
