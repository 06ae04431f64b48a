"""The stages one trust-month goes through, in order. No data logic here: each line is a call.

Grain: one `PartitionWork` = one trust's submission for one reporting month (up to two files).
Idempotent: the same bytes give the same submission ids, facts and quarantine rows, and the
warehouse replaces the partition in one transaction, so re-running changes nothing.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

import pandas as pd

from expectations.file_rules import FileHistory, check_file
from expectations.findings import Finding
from expectations.row_warnings import unmapped_code_findings
from expectations.validate import validate_rows
from flows.landing import SubmissionFile, read_bytes, submission_id
from transforms.errors import FileRejected
from transforms.mapping import map_to_canonical
from transforms.prepare import prepare
from transforms.read import read_table
from transforms.standardise import standardise_interventions, standardise_ward_stays
from transforms.trust_config import Registry
from warehouse.archive import archive_file, read_archived
from warehouse.lake import write_lake_partition
from warehouse.loads import PartitionLoad, SubmissionOutcome
from warehouse.store import Warehouse

FACT_TABLE = {
    "restrictive_interventions": "fct_restrictive_intervention",
    "ward_stays": "fct_ward_stay_month",
}


@dataclass
class RunContext:
    """What every partition of one run shares. A plain class: Prefect passes it by reference."""

    registry: Registry
    key: bytes
    warehouse: Warehouse
    archive_url: str
    lake_url: str
    imd: Mapping[str, int] | None = None
    flow_run_id: str | None = None


@dataclass
class PartitionWork:
    trust_code: str
    reporting_month: date
    files: list[SubmissionFile]
    from_archive: bool = False  # backfills read the raw archive, not the landing zone

    @property
    def label(self) -> str:
        return f"{self.trust_code} {self.reporting_month:%Y-%m}"


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


def process_partition(work: PartitionWork, ctx: RunContext) -> list[FileSummary]:
    """Archive, read, validate, standardise and load one trust-month; return what happened."""
    outcomes = []
    for file in work.files:
        content = (
            read_archived(ctx.archive_url, file.sha256)
            if work.from_archive
            else read_bytes(file.url)
        )
        file = _rehash(file, content)
        archive_file(ctx.archive_url, content, file.sha256)
        history = ctx.warehouse.file_history(file.trust_code, file.dataset, file.reporting_month)
        outcomes.append(process_file(file, content, ctx, history))
    for outcome in outcomes:
        if outcome.status == "loaded" and outcome.facts is not None:
            write_lake_partition(
                ctx.lake_url, FACT_TABLE[outcome.dataset], work.trust_code, work.reporting_month,
                outcome.facts,
            )  # fmt: skip
    ctx.warehouse.replace_partition(PartitionLoad(work.trust_code, work.reporting_month, outcomes))
    return [_summary(work, o) for o in outcomes]


def process_file(
    file: SubmissionFile, content: bytes, ctx: RunContext, history: FileHistory
) -> SubmissionOutcome:
    """read → map (pseudonymise) → prepare → file rules → row rules → standardise."""
    trust = ctx.registry.trust(file.trust_code)
    received = 0
    try:
        raw = read_table(content, file.file_name, trust)
        received = len(raw)
        mapped = map_to_canonical(raw, file.dataset, trust, ctx.registry.codes, ctx.key)
        prepared = prepare(mapped.frame, file.dataset, file.reporting_month)
        file_findings = check_file(
            prepared,
            file.dataset,
            trust,
            file.sha256,
            history,
            reporting_month=file.reporting_month,
        )
        rejects = [f for f in file_findings if f.severity == "reject_file"]
        if rejects:
            return _rejected(file, ctx, received, rejects[0].rule, rejects[0].detail, file_findings)
        rows = validate_rows(prepared, file.dataset, trust)
        facts = _standardise(file, rows.valid, ctx)
        warnings = [*file_findings, *rows.warnings, *unmapped_code_findings(mapped.unmapped)]
        return _loaded(file, ctx, received, facts, rows.quarantine, warnings)
    except FileRejected as exc:
        return _rejected(file, ctx, received, exc.rule, exc.message, [])


def _standardise(file: SubmissionFile, valid: pd.DataFrame, ctx: RunContext) -> pd.DataFrame:
    if file.dataset == "restrictive_interventions":
        return standardise_interventions(valid, file.trust_code, file.reporting_month, ctx.imd)
    return standardise_ward_stays(valid, file.trust_code, file.reporting_month, ctx.imd)


def _rehash(file: SubmissionFile, content: bytes) -> SubmissionFile:
    """The file may have changed since discovery: the bytes processed are what counts."""
    sha = hashlib.sha256(content).hexdigest()
    if sha == file.sha256:
        return file
    return SubmissionFile(
        file.trust_code, file.reporting_month, file.dataset, file.url, file.file_name, sha,
        len(content),
    )  # fmt: skip


def _now() -> datetime:
    return datetime.now(UTC)


def _loaded(
    file: SubmissionFile, ctx: RunContext, received: int, facts: pd.DataFrame,
    quarantine: pd.DataFrame, warnings: list[Finding],
) -> SubmissionOutcome:  # fmt: skip
    return SubmissionOutcome(
        dataset=file.dataset, submission_id=file.submission_id, file_name=file.file_name,
        file_sha256=file.sha256, status="loaded", rows_received=received,
        rows_loaded=len(facts), rows_quarantined=int(quarantine["source_row_number"].nunique()),
        rejection_rule=None, rejection_reason=None, warnings=warnings, received_at=_now(),
        processed_at=_now(), flow_run_id=ctx.flow_run_id, facts=facts, quarantine=quarantine,
    )  # fmt: skip


def _rejected(
    file: SubmissionFile, ctx: RunContext, received: int, rule: str, reason: str,
    findings: list[Finding],
) -> SubmissionOutcome:  # fmt: skip
    return SubmissionOutcome(
        dataset=file.dataset, submission_id=file.submission_id, file_name=file.file_name,
        file_sha256=file.sha256, status="rejected", rows_received=received, rows_loaded=0,
        rows_quarantined=0, rejection_rule=rule, rejection_reason=reason,
        warnings=[f for f in findings if f.severity == "warn"], received_at=_now(),
        processed_at=_now(), flow_run_id=ctx.flow_run_id, facts=None, quarantine=None,
    )  # fmt: skip


def _summary(work: PartitionWork, o: SubmissionOutcome) -> FileSummary:
    return FileSummary(
        trust_code=work.trust_code, reporting_month=f"{work.reporting_month:%Y-%m}",
        dataset=o.dataset, file_name=o.file_name, submission_id=o.submission_id,
        status=o.status, rows_received=o.rows_received, rows_loaded=o.rows_loaded,
        rows_quarantined=o.rows_quarantined, rejection_rule=o.rejection_rule,
        rejection_reason=o.rejection_reason, warnings=[w.rule for w in o.warnings],
    )  # fmt: skip


def summaries_json(summaries: list[FileSummary]) -> str:
    return json.dumps([s.__dict__ for s in summaries], indent=2)


__all__ = ["PartitionWork", "RunContext", "process_partition", "submission_id"]
