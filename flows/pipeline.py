"""The stages a trust-month goes through, in order. No data logic here: each line is a call.

The units of work (`PartitionWork`, `ChunkWork`) are in `flows.work`.

Compute, in three steps that need no warehouse connection and hold pseudonymised data only, so
they can run anywhere (a thread, a worker process, or a Dask worker):
- `check_chunk`: archive, read, pseudonymise, derive, file rules (in month order: the history);
- `validate_chunks`: row rules (GX) for the chunks of every trust at once, one run per dataset;
- `finish_chunk`: standardise, each file's outcome.
`compute_wave` does the three over a wave of chunks, then writes each chunk's lake partitions
where it was computed. The warehouse load (`flows.load_stage`) follows in the flow's process,
which holds the warehouse, one transaction a chunk. The order the chunks run in is
`flows.waves`.
Idempotent: the same bytes give the same submission ids, facts and quarantine rows.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace

import pandas as pd

from expectations.file_rules import check_file
from expectations.findings import Finding
from expectations.row_warnings import unmapped_code_findings, withheld_findings
from expectations.trust_history import TrustHistory
from expectations.validate import RowValidation, validate_parts
from flows.load_stage import write_lake
from flows.outcomes import loaded, rejected
from flows.work import ChunkWork, ComputeContext, PartitionResult, PartitionWork
from landing.fetch import fetch
from landing.scan import SubmissionFile
from mhsip.grouping import consecutive_groups
from transforms.canonical import DATASETS, Dataset
from transforms.derive import derive_many
from transforms.errors import FileRejected
from transforms.mapping import MappingResult, map_many
from transforms.read import read_table
from transforms.standardise import standardise_many
from warehouse.partition_load import SubmissionOutcome

# A GX run costs ~0.25 s fixed plus ~10 us a row (measured on this machine, 2026-11): past a
# few tens of thousands of rows the fixed cost is amortised, so bigger runs only cost memory.
MAX_ROWS_PER_SUITE_RUN = 200_000


def process_chunk(
    chunk: ChunkWork, ctx: ComputeContext, history: TrustHistory
) -> tuple[list[PartitionResult], TrustHistory]:
    """Compute every partition of one chunk on its own: check, validate, finish.

    A run does the same three steps over a wave of chunks (every trust's next months), so that
    the row rules cost one suite run per dataset for all trusts (`flows.waves.run_waves`).
    """
    checked = check_chunk(chunk, ctx, history)
    return finish_chunk(checked, validate_chunks([checked], ctx)[0], ctx), checked.history


@dataclass
class ChunkOutcome:
    """A chunk computed and its lake partitions written (`partitions`), or why not (`error`);
    and its trust's history after it, where the trust's next chunk starts."""

    chunk: ChunkWork
    history: TrustHistory
    partitions: list[PartitionResult] | None = None
    error: str | None = None

    def for_next_wave(self) -> ChunkOutcome:
        """What the trust's next chunk needs of this one: its history, or its failure."""
        return replace(self, partitions=None)


Before = Mapping[str, "TrustHistory | ChunkOutcome"]


def compute_wave(
    chunks: list[ChunkWork], before: Before, ctx: ComputeContext, lake_url: str
) -> list[ChunkOutcome]:
    """Every step but the warehouse load for a wave of chunks (at most one per trust): check
    each chunk from its trust's `before` (the history, or the outcome of its previous chunk),
    row rules for all of them at once, then standardise each and write its lake partitions.

    Never raises for one chunk: a chunk that fails is returned with its `error`, so that the
    other trusts go on; a trust whose previous chunk failed is not processed further (its
    history would be wrong). Pure but for the archive and lake writes, so it runs in a thread,
    a worker process or a Dask worker alike.
    """
    checked = [_check_after(chunk, ctx, before[chunk.trust_code]) for chunk in chunks]
    validated = validate_wave(checked, ctx)
    finished = zip(checked, validated, strict=True)
    return [_finish_and_write(chunk, rows, ctx, lake_url) for chunk, rows in finished]


def _check_after(
    chunk: ChunkWork, ctx: ComputeContext, before: TrustHistory | ChunkOutcome
) -> CheckedChunk:
    history = before if isinstance(before, TrustHistory) else before.history
    if isinstance(before, ChunkOutcome) and before.error is not None:
        reason = f"not processed: the months before failed ({before.chunk.label})"
        return CheckedChunk(chunk, [], history, error=reason)
    try:
        return check_chunk(chunk, ctx, history)
    except Exception as exc:
        return CheckedChunk(chunk, [], history, error=f"{type(exc).__name__}: {exc}")


def _finish_and_write(
    checked: CheckedChunk, validated: list[RowValidation] | str, ctx: ComputeContext, lake_url: str
) -> ChunkOutcome:
    if isinstance(validated, str):
        return ChunkOutcome(checked.chunk, checked.history, error=validated)
    try:
        results = finish_chunk(checked, validated, ctx)
        write_lake(results, lake_url)
    except Exception as exc:
        return ChunkOutcome(checked.chunk, checked.history, error=f"{type(exc).__name__}: {exc}")
    return ChunkOutcome(checked.chunk, checked.history, results)


@dataclass
class CheckedChunk:
    """A chunk past its file rules: per file, in chunk order, its rejected outcome or the file
    waiting for its row rules; and the trust's history after it, where its next chunk starts.
    `error` says why a chunk could not be checked (then it has no items)."""

    chunk: ChunkWork
    items: list[Checked | SubmissionOutcome]
    history: TrustHistory
    error: str | None = None

    @property
    def checked(self) -> list[Checked]:
        return [item for item in self.items if isinstance(item, Checked)]


def check_chunk(chunk: ChunkWork, ctx: ComputeContext, history: TrustHistory) -> CheckedChunk:
    """Steps that must run in month order, advancing the trust's history month by month.

    1. each file, in month order: archive → read;
    2. per dataset, all the chunk's files at once: map (pseudonymise) → derive;
    3. each file, in month order: file rules against the history of the earlier months.
    The history depends only on these steps, so the trust's next chunk can be checked while
    this one is validated and loaded.
    """
    fetched = [_read(work, file, ctx) for work in chunk.partitions for file in work.files]
    items = [
        check_file_rules(item, ctx, history) if isinstance(item, Checked) else item
        for item in _map_and_derive([f for f, _ in fetched], [r for _, r in fetched], ctx)
    ]
    return CheckedChunk(chunk, items, history)


def validate_chunks(chunks: list[CheckedChunk], ctx: ComputeContext) -> list[list[RowValidation]]:
    """Row rules for every checked file of the chunks, whatever their trusts: one suite run per
    dataset (split into runs of at most `MAX_ROWS_PER_SUITE_RUN` rows to bound memory).
    One list per chunk, in the order of its `checked` files."""
    checked = [item for chunk in chunks for item in chunk.checked]
    results: list[RowValidation | None] = [None] * len(checked)
    for dataset in DATASETS:
        positions = [p for p, item in enumerate(checked) if item.file.dataset == dataset]
        for run in _row_budget(positions, [len(checked[p].derived) for p in positions]):
            parts = [(checked[p].derived, ctx.registry.trust(checked[p].file.trust_code))
                     for p in run]  # fmt: skip
            results_of_run = validate_parts(parts, dataset, ctx.registry.collaborative.plausibility)
            for p, rows in zip(run, results_of_run, strict=True):
                results[p] = rows
    done = [r for r in results if r is not None]
    assert len(done) == len(checked), "every checked file is validated"
    per_chunk, start = [], 0
    for chunk in chunks:
        count = len(chunk.checked)
        per_chunk.append(done[start : start + count])
        start += count
    return per_chunk


def validate_wave(
    chunks: list[CheckedChunk], ctx: ComputeContext
) -> list[list[RowValidation] | str]:
    """`validate_chunks` over a wave: per chunk, its validations or why it has none (it was not
    checked, or its files broke the suite run). A run that raises (an expectation that could
    not be evaluated: a bug, never bad data) is redone chunk by chunk, so that only the chunk
    causing it fails and the other trusts go on."""
    ready = [chunk for chunk in chunks if chunk.error is None]
    validated: dict[int, list[RowValidation] | str] = {}
    try:
        validated.update(zip(map(id, ready), validate_chunks(ready, ctx), strict=True))
    except Exception:
        for chunk in ready:
            try:
                validated[id(chunk)] = validate_chunks([chunk], ctx)[0]
            except Exception as exc:
                validated[id(chunk)] = f"{type(exc).__name__}: {exc}"
    return [chunk.error or validated[id(chunk)] for chunk in chunks]


def _row_budget(positions: list[int], sizes: list[int]) -> list[list[int]]:
    """Consecutive groups of files of at most MAX_ROWS_PER_SUITE_RUN rows (a larger file alone)."""
    return consecutive_groups(positions, sizes, MAX_ROWS_PER_SUITE_RUN)


def finish_chunk(
    checked_chunk: CheckedChunk, validated: list[RowValidation], ctx: ComputeContext
) -> list[PartitionResult]:
    """Standardise each checked file's valid rows (one pass per dataset) and build every file's
    outcome, grouped by partition."""
    checked = checked_chunk.checked
    facts = _standardise(checked, validated, ctx)
    finished = map(_finish, checked, validated, facts, [ctx] * len(checked))
    items = checked_chunk.items
    outcomes = iter([i if isinstance(i, SubmissionOutcome) else next(finished) for i in items])
    works = checked_chunk.chunk.partitions
    return [PartitionResult(w, [next(outcomes) for _ in w.files]) for w in works]


@dataclass
class Checked:
    """A file mapped and derived; once past the file rules (`findings`), it waits for its row
    rules."""

    file: SubmissionFile
    received: int
    derived: pd.DataFrame
    unmapped: dict[str, dict[str, int]]
    findings: list[Finding] = field(default_factory=list)
    withheld: dict[str, list[int]] = field(default_factory=dict)


def _read(
    work: PartitionWork, file: SubmissionFile, ctx: ComputeContext
) -> tuple[SubmissionFile, pd.DataFrame | SubmissionOutcome]:
    """Fetch (and archive) the file's bytes, then read them: the file as processed, and its raw
    frame or rejected outcome."""
    try:
        file, content = fetch(
            file, ctx.archive_url, work.from_archive, ctx.max_file_bytes, ctx.archive_keys
        )
        return file, read_table(content, file.file_name, ctx.registry.trust(file.trust_code),
                                limits=ctx.read_limits)  # fmt: skip
    except FileRejected as exc:
        return file, rejected(file, ctx, 0, exc.rule, exc.message, [])


def _by_dataset(files: list[SubmissionFile]) -> dict[tuple[str, Dataset], list[int]]:
    """Positions of the files of each (trust, dataset), in chunk order."""
    groups: dict[tuple[str, Dataset], list[int]] = {}
    for position, file in enumerate(files):
        groups.setdefault((file.trust_code, file.dataset), []).append(position)
    return groups


def _map_and_derive(
    files: list[SubmissionFile], raws: list[pd.DataFrame | SubmissionOutcome], ctx: ComputeContext
) -> list[Checked | SubmissionOutcome]:
    """map (pseudonymise) → derive, once per dataset over the files that were read; a file
    missing a required column becomes its rejected outcome."""
    items: list[Checked | SubmissionOutcome | pd.DataFrame] = list(raws)
    for (trust_code, dataset), positions in _by_dataset(files).items():
        read = [(p, raw) for p in positions if isinstance(raw := raws[p], pd.DataFrame)]
        trust, codes = ctx.registry.trust(trust_code), ctx.registry.codes
        mapped = map_many([raw for _, raw in read], dataset, trust, codes, ctx.key)
        passed: list[tuple[int, int, MappingResult]] = []
        for (p, raw), result in zip(read, mapped, strict=True):
            if isinstance(result, FileRejected):
                items[p] = rejected(files[p], ctx, len(raw), result.rule, result.message, [])
            else:
                passed.append((p, len(raw), result))
        months = [files[p].reporting_month for p, _, _ in passed]
        derived = derive_many([m.frame for _, _, m in passed], dataset, months)
        for (p, received, m), frame in zip(passed, derived, strict=True):
            items[p] = Checked(files[p], received, frame, m.unmapped, withheld=m.withheld)
    done = [item for item in items if not isinstance(item, pd.DataFrame)]
    assert len(done) == len(files), "every file read is mapped or rejected"
    return done


def check_file_rules(
    item: Checked, ctx: ComputeContext, history: TrustHistory
) -> Checked | SubmissionOutcome:
    """File rules against the trust's earlier months: the rejected outcome, or the file with its
    warnings, recorded in the history so that later months are compared with it."""
    file = item.file
    trust = ctx.registry.trust(file.trust_code)
    findings = check_file(
        item.derived, file.dataset, trust, file.sha256,
        history.for_file(file.dataset, file.reporting_month),
        reporting_month=file.reporting_month,
    )  # fmt: skip
    rejects = [f for f in findings if f.severity == "reject_file"]
    if rejects:
        return rejected(file, ctx, item.received, rejects[0].rule, rejects[0].detail, findings)
    history.record_loaded(file.reporting_month, file.dataset, file.sha256, item.received)
    return replace(item, findings=findings)


def _standardise(
    items: list[Checked], validated: list[RowValidation], ctx: ComputeContext
) -> list[pd.DataFrame]:
    """Fact rows of each checked file's valid rows, one pass per dataset; in the items' order."""
    facts: dict[int, pd.DataFrame] = {}
    for (trust_code, dataset), positions in _by_dataset([c.file for c in items]).items():
        valid = [validated[p].valid for p in positions]
        months = [items[p].file.reporting_month for p in positions]
        frames = standardise_many(valid, dataset, trust_code, months, ctx.imd)
        facts.update(zip(positions, frames, strict=True))
    return [facts[p] for p in range(len(items))]


def _finish(
    item: Checked, rows: RowValidation, facts: pd.DataFrame, ctx: ComputeContext
) -> SubmissionOutcome:
    warnings = [
        *item.findings, *withheld_findings(item.withheld), *rows.warnings,
        *unmapped_code_findings(item.unmapped),
    ]  # fmt: skip
    return loaded(item.file, ctx, item.received, facts, rows.quarantine, warnings)
