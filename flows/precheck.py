"""`mhsip check`: what the nightly would decide about one trust-month's files, writing nothing.

It runs the nightly's own compute stages (`flows.pipeline`: `check_chunk`, `validate_chunks`,
`finish_chunk`) on a one-partition chunk, so the reading, mapping, file rules, row rules and
warnings are the nightly's, not a copy of them. Differences, each so that nothing is written:
- the raw archive is an in-process memory filesystem (`memory://`), dropped when the check ends;
- the pseudonymisation key is the configured one or, when none is set, a random one for this
  check only (pseudonyms are never shown, and every rule compares them only with each other);
- the trust's history (for the history-based file rules) comes from a read-only connection to
  the warehouse when one is configured; without one those rules are reported as skipped.
No lake, warehouse, log file or Prefect run is touched, and the result holds row numbers, rules
and the validation's details only (which never quote an identifier or a date of birth).
"""

from __future__ import annotations

import fnmatch
import hashlib
import secrets
import uuid
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Final, Literal

import fsspec

from expectations.trust_history import TrustHistory
from flows.pipeline import check_chunk, finish_chunk, validate_chunks
from flows.work import ChunkWork, ComputeContext, PartitionWork
from landing.archive_keys import Keyring, new_key_text, parse_key
from landing.scan import SubmissionFile
from transforms.canonical import DATASETS, Dataset
from transforms.read_guards import DEFAULT_LIMITS, ReadLimits
from transforms.trust_config import Registry
from warehouse.partition_load import SubmissionOutcome

# File rules that compare a file with the trust's earlier months (expectations.file_rules).
HISTORY_RULES: Final = ("implausible_row_count", "duplicate_of_other_month", "sudden_drop_to_zero")
Decision = Literal["accepted", "accepted_with_findings", "rejected"]
EXIT_STATUS: Final[dict[str, int]] = {"accepted": 0, "accepted_with_findings": 1, "rejected": 2}


class CheckError(ValueError):
    """The check could not run (exit status 3): a bad argument, an unknown trust, a file that
    matches no dataset of the trust."""


@dataclass(frozen=True)
class RuleResult:
    """One rule a file broke: severity, rule, count, example row numbers, plain-English detail."""

    severity: str
    rule: str
    count: int
    example_rows: tuple[int, ...] = ()
    detail: str = ""


@dataclass
class FileCheck:
    """What the nightly would decide about one file."""

    file_name: str
    dataset: str
    submission_id: str
    decision: Decision
    rows_received: int
    rows_loaded: int
    rows_quarantined: int
    rejection_rule: str | None
    rejection_reason: str | None
    quarantined_rows: list[int] = field(default_factory=list)
    quarantined_by_rule: dict[str, list[int]] = field(default_factory=dict)
    results: list[RuleResult] = field(default_factory=list)


@dataclass
class CheckReport:
    trust_code: str
    reporting_month: str
    history: str  # where the history-based rules' history came from, or why they were skipped
    history_rules_skipped: list[str]
    files: list[FileCheck]

    @property
    def exit_status(self) -> int:
        return max((EXIT_STATUS[f.decision] for f in self.files), default=0)


def submission_files(
    paths: list[Path], registry: Registry, trust_code: str, month: date
) -> list[SubmissionFile]:
    """Each given file as the landing scan would list it in `<trust>/<YYYY-MM>/`: the dataset
    from the trust's file name patterns, its SHA-256 and size."""
    if trust_code not in registry.trusts:
        raise CheckError(f"unknown trust code {trust_code!r}: no config/trusts/{trust_code}.yaml")
    patterns = registry.trust(trust_code).files
    files: list[SubmissionFile] = []
    for path in paths:
        if not path.is_file():
            raise CheckError(f"{path}: no such file")
        name = path.name.lower()
        hits = [d for d in DATASETS if fnmatch.fnmatch(name, patterns.for_dataset(d).lower())]
        if len(hits) != 1:
            expected = ", ".join(f"{d} '{patterns.for_dataset(d)}'" for d in DATASETS)
            what = "no" if not hits else "both"
            raise CheckError(f"{path.name} matches {what} dataset file pattern ({expected})")
        content = path.read_bytes()
        sha = hashlib.sha256(content).hexdigest()
        files.append(SubmissionFile(trust_code, month, hits[0], str(path.resolve()), path.name,
                                    sha, len(content)))  # fmt: skip
    datasets = [f.dataset for f in files]
    if len(set(datasets)) != len(datasets):
        raise CheckError("more than one file for the same dataset; give one of each at most")
    return sorted(files, key=lambda f: f.dataset)


def run_check(
    files: list[SubmissionFile],
    registry: Registry,
    *,
    key: bytes | None = None,
    history: TrustHistory | None = None,
    history_source: str = "",
    max_file_bytes: int = 256 * 1024 * 1024,
    read_limits: ReadLimits = DEFAULT_LIMITS,
) -> CheckReport:
    """The nightly's decision on one trust-month's files (`submission_files`)."""
    trust_code, month = files[0].trust_code, files[0].reporting_month
    archive = f"memory://mhsip-check-{uuid.uuid4().hex}"
    ctx = ComputeContext(
        registry=registry, key=key or secrets.token_bytes(32), archive_url=archive,
        max_file_bytes=max_file_bytes, read_limits=read_limits,
        # the in-memory archive dies with the check: a throw-away key, never the operators'
        archive_keys=Keyring(parse_key(new_key_text())),
    )  # fmt: skip
    chunk = ChunkWork(trust_code, [PartitionWork(trust_code, month, list(files))])
    skipped = [] if history is not None else list(HISTORY_RULES)
    try:
        checked = check_chunk(chunk, ctx, history or TrustHistory(trust_code))
        partitions = finish_chunk(checked, validate_chunks([checked], ctx)[0], ctx)
    finally:
        fs, path = fsspec.core.url_to_fs(archive)
        if fs.exists(path):
            fs.rm(path, recursive=True)
    outcomes = [o for p in partitions for o in p.outcomes]
    return CheckReport(
        trust_code=trust_code, reporting_month=f"{month:%Y-%m}",
        history=history_source if history is not None else "no warehouse configured",
        history_rules_skipped=skipped, files=[file_check(o) for o in outcomes],
    )  # fmt: skip


def file_check(outcome: SubmissionOutcome) -> FileCheck:
    """An outcome as the data lead reads it: rules with counts and example rows, no facts."""
    results: list[RuleResult] = []
    if outcome.status == "rejected":
        rule, reason = outcome.rejection_rule or "", outcome.rejection_reason or ""
        results.append(RuleResult("reject_file", rule, outcome.rows_received, (), reason))
    quarantined: list[int] = []
    by_rule: dict[str, list[int]] = {}
    frame = outcome.quarantine
    if frame is not None and len(frame):
        quarantined = sorted({int(n) for n in frame["source_row_number"].dropna()})
        for name, rows in frame.groupby("rule", sort=True):
            numbers = sorted({int(n) for n in rows["source_row_number"].dropna()})
            by_rule[str(name)] = numbers
            examples = rows.drop_duplicates("source_row_number").head(10)
            detail = "; ".join(
                f"row {int(n)}: {d}"
                for n, d in zip(examples["source_row_number"], examples["detail"].fillna(""),
                                strict=True)
            )  # fmt: skip
            results.append(RuleResult("quarantine_row", str(name), len(numbers),
                                      tuple(numbers[:10]), detail))  # fmt: skip
    for w in outcome.warnings:
        results.append(RuleResult("warn", w.rule, w.count, tuple(w.example_rows), w.detail))
    if outcome.status == "rejected":
        decision: Decision = "rejected"
    elif quarantined or outcome.warnings:
        decision = "accepted_with_findings"
    else:
        decision = "accepted"
    return FileCheck(
        file_name=outcome.file_name, dataset=outcome.dataset,
        submission_id=outcome.submission_id, decision=decision,
        rows_received=outcome.rows_received, rows_loaded=outcome.rows_loaded,
        rows_quarantined=outcome.rows_quarantined, rejection_rule=outcome.rejection_rule,
        rejection_reason=outcome.rejection_reason, quarantined_rows=quarantined,
        quarantined_by_rule=by_rule,
        results=results,
    )  # fmt: skip


__all__ = ["CheckError", "CheckReport", "Dataset", "FileCheck", "run_check", "submission_files"]
