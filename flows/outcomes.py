"""Outcomes of a file (loaded or rejected) and their printable summaries.

Every sentence an outcome carries (rejection reason, warning details, quarantine details) goes
through `transforms.screening.screen_text` with the trust's local id pattern here, the one place
before anything is stored, logged or reported.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import pandas as pd

from expectations.findings import Finding
from landing.scan import SubmissionFile
from transforms.screening import screen_optional, screen_text
from warehouse.partition_load import SubmissionOutcome

if TYPE_CHECKING:
    from flows.work import ComputeContext, PartitionWork


@dataclass
class FileSummary:
    """What happened to one file: small, printable, free of patient data."""

    trust_code: str
    reporting_month: str
    dataset: str
    file_name: str
    submission_id: str
    status: str
    rows_received: int
    rows_loaded: int
    rows_quarantined: int
    rejection_rule: str | None = None
    rejection_reason: str | None = None
    warnings: list[str] = field(default_factory=list)


def now() -> datetime:
    return datetime.now(UTC)


def _pattern(file: SubmissionFile, ctx: ComputeContext) -> str | None:
    trusts = ctx.registry.trusts
    return trusts[file.trust_code].local_patient_id_pattern if file.trust_code in trusts else None


def _screened(findings: list[Finding], pattern: str | None) -> list[Finding]:
    return [replace(f, detail=screen_text(f.detail, pattern)) for f in findings]


def loaded(
    file: SubmissionFile, ctx: ComputeContext, received: int, facts: pd.DataFrame,
    quarantine: pd.DataFrame, warnings: list[Finding],
) -> SubmissionOutcome:  # fmt: skip
    pattern = _pattern(file, ctx)
    warnings = _screened(warnings, pattern)
    if len(quarantine):
        details = quarantine["detail"].astype("str")
        quarantine = quarantine.assign(detail=details.map(lambda d: screen_text(d, pattern)))
    return SubmissionOutcome(
        dataset=file.dataset, submission_id=file.submission_id, file_name=file.file_name,
        file_sha256=file.sha256, status="loaded", rows_received=received,
        rows_loaded=len(facts), rows_quarantined=int(quarantine["source_row_number"].nunique()),
        rejection_rule=None, rejection_reason=None, warnings=warnings, received_at=now(),
        processed_at=now(), flow_run_id=ctx.flow_run_id, facts=facts, quarantine=quarantine,
    )  # fmt: skip


def rejected(
    file: SubmissionFile, ctx: ComputeContext, received: int, rule: str, reason: str,
    findings: list[Finding],
) -> SubmissionOutcome:  # fmt: skip
    pattern = _pattern(file, ctx)
    reason = screen_optional(reason, pattern) or ""
    findings = _screened(findings, pattern)
    return SubmissionOutcome(
        dataset=file.dataset, submission_id=file.submission_id, file_name=file.file_name,
        file_sha256=file.sha256, status="rejected", rows_received=received, rows_loaded=0,
        rows_quarantined=0, rejection_rule=rule, rejection_reason=reason,
        warnings=[f for f in findings if f.severity == "warn"], received_at=now(),
        processed_at=now(), flow_run_id=ctx.flow_run_id, facts=None, quarantine=None,
    )  # fmt: skip


def summary(work: PartitionWork, o: SubmissionOutcome) -> FileSummary:
    """What happened to one file, for logs, the CLI and artifacts."""
    return FileSummary(
        trust_code=work.trust_code, reporting_month=f"{work.reporting_month:%Y-%m}",
        dataset=o.dataset, file_name=o.file_name, submission_id=o.submission_id,
        status=o.status, rows_received=o.rows_received, rows_loaded=o.rows_loaded,
        rows_quarantined=o.rows_quarantined, rejection_rule=o.rejection_rule,
        rejection_reason=o.rejection_reason, warnings=[w.rule for w in o.warnings],
    )  # fmt: skip
