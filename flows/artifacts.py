"""Prefect artifacts for a run: a table of files processed and a summary of rejections."""

from __future__ import annotations

from typing import TYPE_CHECKING

from prefect.artifacts import create_markdown_artifact, create_table_artifact

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
