"""Prefect artifacts for a run: a table of files processed and a summary of rejections."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from prefect.artifacts import (
    create_markdown_artifact,
    create_progress_artifact,
    create_table_artifact,
    update_progress_artifact,
)

if TYPE_CHECKING:
    from flows.runs import RunReport


def publish_run_artifacts(report: RunReport) -> None:
    rows = [
        {
            "trust": f.trust_code, "month": f.reporting_month, "dataset": f.dataset,
            "file": f.file_name, "status": f.status, "received": f.rows_received,
            "loaded": f.rows_loaded, "quarantined": f.rows_quarantined,
        }
        for f in report.files
    ]  # fmt: skip
    if rows:
        create_table_artifact(
            key="mhsip-submissions", table=rows, description="Files processed in this run"
        )
    rejected = [f for f in report.files if f.status == "rejected"]
    lines = ["# Rejected files", ""]
    lines += [
        f"- **{f.trust_code} {f.reporting_month}** {f.dataset} `{f.file_name}`: "
        f"`{f.rejection_rule}`: {f.rejection_reason}"
        for f in rejected
    ] or ["None."]
    if report.problems:
        lines += ["", "# Landing-zone problems", ""]
        lines += [f"- `{p.rule}`: {p.detail}" for p in report.problems]
    if report.failures:
        lines += ["", "# Partitions that failed (will be retried next run)", ""]
        lines += [f"- {f['partition']}: {f['error']}" for f in report.failures]
    create_markdown_artifact(key="mhsip-rejections", markdown="\n".join(lines))
    if report.files:
        create_markdown_artifact(
            key="mhsip-submission-matrix",
            markdown="# Files this run (L loaded, R rejected; i interventions, w ward stays)\n\n"
            + submission_matrix_markdown(report),
        )


class RunProgress:
    """A Prefect progress artifact, advanced per finished partition and sent to the API at most
    once a second (each update is an API call) and at the end."""

    def __init__(self, total: int) -> None:
        self.total, self.done, self.sent_at = max(total, 1), 0, 0.0
        self.artifact_id = create_progress_artifact(
            progress=0.0, key="mhsip-progress", description="trust-months processed"
        )

    def advance(self) -> None:
        self.done += 1
        now = time.monotonic()
        if now - self.sent_at < 1.0 and self.done < self.total:
            return
        self.sent_at = now
        update_progress_artifact(
            artifact_id=self.artifact_id,  # type: ignore[arg-type]  # sync context: a UUID
            progress=100.0 * self.done / self.total,
        )


def submission_matrix_markdown(report: RunReport) -> str:
    """Trusts x months touched by this run: L loaded, R rejected (per dataset: RI/WS)."""
    cells: dict[tuple[str, str], list[str]] = {}
    for f in report.files:
        mark = ("L" if f.status == "loaded" else "R") + ("i" if f.dataset.startswith("r") else "w")
        cells.setdefault((f.trust_code, f.reporting_month), []).append(mark)
    months = sorted({m for _, m in cells})
    trusts = sorted({t for t, _ in cells})
    lines = ["| trust | " + " | ".join(months) + " |", "|---" * (len(months) + 1) + "|"]
    for t in trusts:
        row = [" ".join(sorted(cells.get((t, m), ["-"]))) for m in months]
        lines.append(f"| {t} | " + " | ".join(row) + " |")
    return "\n".join(lines)
