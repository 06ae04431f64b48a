"""The stages a trust-month goes through, in order. No data logic here: each line is a call.

Grain: one `PartitionWork` = one trust's submission for one reporting month (up to two files);
a `ChunkWork` = consecutive months of one trust, processed in month order because the file rules
compare each file with the trust's earlier months.

Two halves, so the heavy half can run anywhere (a thread, or a Dask worker):
- `process_chunk` (compute): archive, read, pseudonymise, validate, standardise. Needs no
  warehouse connection; returns outcomes holding pseudonymised facts only.
- `load_partition` (in the flow's process, which holds the warehouse): write the lake partition,
  then replace the warehouse partition in one transaction.
Idempotent: the same bytes give the same submission ids, facts and quarantine rows.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime

import pandas as pd

from expectations.file_rules import check_file
from expectations.findings import Finding
from expectations.history import TrustHistory
from expectations.row_warnings import unmapped_code_findings
from expectations.validate import RowValidation, validate_many
from flows.landing import SubmissionFile, read_bytes, submission_id
from mhsip.failpoints import failpoint
from transforms.canonical import DATASETS
from transforms.errors import FileRejected
from transforms.mapping import map_to_canonical
from transforms.prepare import prepare
from transforms.read import read_table
from transforms.standardise import standardise_interventions, standardise_ward_stays
from transforms.trust_config import Registry
from warehouse.archive import archive_file, read_archived
from warehouse.lake import write_lake_partition
from warehouse.loads import PartitionLoad, SubmissionOutcome
from warehouse.schema import FACT_TABLES
from warehouse.store import Warehouse


@dataclass(frozen=True)
class ComputeContext:
    """What the compute half needs: picklable, no connections (safe to send to Dask workers)."""

    registry: Registry
    key: bytes = field(repr=False)
    archive_url: str
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
class ChunkWork:
    trust_code: str
    partitions: list[PartitionWork]

    @property
    def label(self) -> str:
        first, last = self.partitions[0].reporting_month, self.partitions[-1].reporting_month
        return f"{self.trust_code} {first:%Y-%m}..{last:%Y-%m}"


@dataclass
class PartitionResult:
    work: PartitionWork
    outcomes: list[SubmissionOutcome]


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


def process_chunk(
    chunk: ChunkWork, ctx: ComputeContext, history: TrustHistory
) -> tuple[list[PartitionResult], TrustHistory]:
    """Compute every partition of a chunk, advancing the trust's history month by month.

    1. each file, in month order: archive → read → map (pseudonymise) → prepare → file rules;
    2. row rules for all the chunk's surviving files at once, one GX run per dataset;
    3. each file: standardise, and its outcome.
    """
    checked: list[list[Checked | SubmissionOutcome]] = []
    for work in chunk.partitions:
        per_file: list[Checked | SubmissionOutcome] = []
        for file in work.files:
            content = (
                read_archived(ctx.archive_url, file.sha256)
                if work.from_archive
                else read_bytes(file.url)
            )
            file = _rehash(file, content)
            archive_file(ctx.archive_url, content, file.sha256)
            failpoint("after_archive")
            result = check_file_rules(file, content, ctx, history)
            if isinstance(result, Checked):
                history.record_loaded(
                    file.reporting_month, file.dataset, file.sha256, result.received
                )
            per_file.append(result)
        checked.append(per_file)
    validated = _validate_chunk(
        [c for part in checked for c in part if isinstance(c, Checked)], ctx
    )
    results = []
    for work, per_file in zip(chunk.partitions, checked, strict=True):
        outcomes = [
            item if isinstance(item, SubmissionOutcome) else _finish(item, validated[id(item)], ctx)
            for item in per_file
        ]
        results.append(PartitionResult(work, outcomes))
    return results, history


def load_partition(
    result: PartitionResult, warehouse: Warehouse, lake_url: str
) -> list[FileSummary]:
    """Lake first (atomic per file), then the warehouse in one transaction.

    A crash between the two leaves the lake ahead of the warehouse; the submission is not yet
    recorded as seen, so the next run processes it again and both converge.
    """
    work = result.work
    for outcome in result.outcomes:
        if outcome.status == "loaded" and outcome.facts is not None:
            table = FACT_TABLES[outcome.dataset].name
            write_lake_partition(
                lake_url, table, work.trust_code, work.reporting_month, outcome.facts
            )
    failpoint("after_lake_write")
    warehouse.replace_partition(
        PartitionLoad(work.trust_code, work.reporting_month, result.outcomes)
    )
    return [summary(work, o) for o in result.outcomes]


@dataclass
class Checked:
    """A file that passed the file rules and waits for its row rules."""

    file: SubmissionFile
    received: int
    prepared: pd.DataFrame
    unmapped: dict[str, dict[str, int]]
    findings: list[Finding]


def check_file_rules(
    file: SubmissionFile, content: bytes, ctx: ComputeContext, history: TrustHistory
) -> Checked | SubmissionOutcome:
    """read → map (pseudonymise) → prepare → file rules; a rejected outcome, or the file checked."""
    trust = ctx.registry.trust(file.trust_code)
    received = 0
    try:
        raw = read_table(content, file.file_name, trust)
        received = len(raw)
        mapped = map_to_canonical(raw, file.dataset, trust, ctx.registry.codes, ctx.key)
        prepared = prepare(mapped.frame, file.dataset, file.reporting_month)
        findings = check_file(
            prepared, file.dataset, trust, file.sha256,
            history.for_file(file.dataset, file.reporting_month),
            reporting_month=file.reporting_month,
        )  # fmt: skip
    except FileRejected as exc:
        return _rejected(file, ctx, received, exc.rule, exc.message, [])
    rejects = [f for f in findings if f.severity == "reject_file"]
    if rejects:
        return _rejected(file, ctx, received, rejects[0].rule, rejects[0].detail, findings)
    return Checked(file, received, prepared, mapped.unmapped, findings)


def _validate_chunk(items: list[Checked], ctx: ComputeContext) -> dict[int, RowValidation]:
    """Row rules for a chunk's checked files: one suite run per dataset (same trust)."""
    results: dict[int, RowValidation] = {}
    for dataset in DATASETS:
        group = [c for c in items if c.file.dataset == dataset]
        if not group:
            continue
        trust = ctx.registry.trust(group[0].file.trust_code)
        rows = validate_many([c.prepared for c in group], dataset, trust)
        results.update({id(c): r for c, r in zip(group, rows, strict=True)})
    return results


def _finish(item: Checked, rows: RowValidation, ctx: ComputeContext) -> SubmissionOutcome:
    facts = _standardise(item.file, rows.valid, ctx)
    warnings = [*item.findings, *rows.warnings, *unmapped_code_findings(item.unmapped)]
    return _loaded(item.file, ctx, item.received, facts, rows.quarantine, warnings)


def _rehash(file: SubmissionFile, content: bytes) -> SubmissionFile:
    """The file may have changed since discovery: the bytes processed are what counts."""
    sha = hashlib.sha256(content).hexdigest()
    return file if sha == file.sha256 else replace(file, sha256=sha, size_bytes=len(content))


def _standardise(file: SubmissionFile, valid: pd.DataFrame, ctx: ComputeContext) -> pd.DataFrame:
    if file.dataset == "restrictive_interventions":
        return standardise_interventions(valid, file.trust_code, file.reporting_month, ctx.imd)
    return standardise_ward_stays(valid, file.trust_code, file.reporting_month, ctx.imd)


def _now() -> datetime:
    return datetime.now(UTC)


def _loaded(
    file: SubmissionFile, ctx: ComputeContext, received: int, facts: pd.DataFrame,
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
    file: SubmissionFile, ctx: ComputeContext, received: int, rule: str, reason: str,
    findings: list[Finding],
) -> SubmissionOutcome:  # fmt: skip
    return SubmissionOutcome(
        dataset=file.dataset, submission_id=file.submission_id, file_name=file.file_name,
        file_sha256=file.sha256, status="rejected", rows_received=received, rows_loaded=0,
        rows_quarantined=0, rejection_rule=rule, rejection_reason=reason,
        warnings=[f for f in findings if f.severity == "warn"], received_at=_now(),
        processed_at=_now(), flow_run_id=ctx.flow_run_id, facts=None, quarantine=None,
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


__all__ = [
    "ChunkWork", "ComputeContext", "PartitionResult", "PartitionWork", "load_partition",
    "process_chunk", "submission_id",
]  # fmt: skip
