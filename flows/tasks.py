"""Prefect tasks: thin wrappers that give each stage retries and a name in the UI.

Tasks use NO_CACHE and return small summaries or pseudonymised outcomes that are never persisted:
no Prefect result can hold a patient identifier.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from typing import TypeVar

from prefect import get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.futures import PrefectFuture, as_completed

from expectations.history import TrustHistory
from expectations.validate import RowValidation
from flows.landing import LandingProblem, SubmissionFile, scan_landing
from flows.load import load_chunk, write_lake
from flows.outcomes import FileSummary
from flows.pipeline import (
    ChunkWork,
    ComputeContext,
    PartitionResult,
    PartitionWork,
    PreparedChunk,
    finish_chunk,
    prepare_chunk,
    validate_wave,
)
from transforms.trust_config import Registry
from warehouse.history import trust_history
from warehouse.store import Warehouse

T = TypeVar("T")
DoneCallback = Callable[[PartitionWork, list[FileSummary] | None, BaseException | None], None]


@task(name="scan-landing", cache_policy=NO_CACHE, retries=3, retry_delay_seconds=[2, 10, 30])
def scan_task(
    landing_url: str, registry: Registry, trusts: list[str] | None, max_file_bytes: int
) -> tuple[list[SubmissionFile], list[LandingProblem]]:
    """Transient I/O (an NFS blip, an S3 timeout) retries with backoff."""
    files, problems = scan_landing(landing_url, registry, trusts, max_file_bytes=max_file_bytes)
    logger = get_run_logger()
    logger.info("landing %s: %d files found, %d problems", landing_url, len(files), len(problems))
    for problem in problems:
        logger.warning("%s: %s (%s)", problem.rule, problem.detail, problem.path)
    return files, problems


class ChunkFailedError(RuntimeError):
    """A chunk that could not be computed; the message says why (a string travels between
    processes where some exceptions cannot)."""


@task(name="prepare-chunk", cache_policy=NO_CACHE, task_run_name="{chunk.trust_code}-prepare")
def prepare_task(
    chunk: ChunkWork, ctx: ComputeContext, before: PreparedChunk | TrustHistory
) -> PreparedChunk:
    """Prepare a chunk from the history its trust's previous chunk left (`before`).

    Never raises: a failure is returned as the chunk's `error`, because the wave's validation
    depends on every trust's chunk and one trust's failure must not stop the others. A trust's
    later chunks are not prepared once one has failed (their history would be wrong).
    Validation failures are outcomes, not exceptions, so the compute tasks never retry.
    """
    history = before if isinstance(before, TrustHistory) else before.history
    if isinstance(before, PreparedChunk) and before.error is not None:
        reason = f"not processed: the months before failed ({before.chunk.label})"
        return PreparedChunk(chunk, [], history, error=reason)
    try:
        return prepare_chunk(chunk, ctx, history)
    except Exception as exc:
        get_run_logger().exception("%s could not be prepared", chunk.label)
        return PreparedChunk(chunk, [], history, error=f"{type(exc).__name__}: {exc}")


@task(name="validate-rows", cache_policy=NO_CACHE)
def validate_task(
    prepared: list[PreparedChunk], ctx: ComputeContext
) -> list[list[RowValidation] | str]:
    """Row rules for a whole wave, one GX suite run per dataset for every trust."""
    return validate_wave(prepared, ctx)


@task(name="finish-chunk", cache_policy=NO_CACHE)
def finish_task(
    prepared: PreparedChunk,
    wave: list[list[RowValidation] | str],
    position: int,
    ctx: ComputeContext,
    lake_url: str,
) -> list[PartitionResult]:
    """Standardise the chunk (its validations are `wave[position]`), then write its lake
    partitions here, where it was computed; the flow loads the warehouse after, so the lake
    stays first. Raises ChunkFailedError when the chunk could not be prepared or validated."""
    validated = wave[position]
    if isinstance(validated, str):
        raise ChunkFailedError(validated)
    results = finish_chunk(prepared, validated, ctx)
    write_lake(results, lake_url)
    return results


def waves_of(chains: dict[str, list[ChunkWork]]) -> list[list[ChunkWork]]:
    """Wave k holds each trust's k-th chunk."""
    longest = max((len(chunks) for chunks in chains.values()), default=0)
    return [[chunks[k] for chunks in chains.values() if k < len(chunks)] for k in range(longest)]


def run_waves(
    chains: dict[str, list[ChunkWork]],
    ctx: ComputeContext,
    warehouse: Warehouse,
    lake_url: str,
    on_done: DoneCallback,
) -> list[FileSummary]:
    """Process every trust's chunks in waves (wave k holds each trust's k-th chunk).

    All the compute runs on the task runner (threads, or Dask workers), chained by futures so
    that the data stays where it was computed and only the facts come back here:
      prepare (per trust; from the previous chunk's history) → validate (the whole wave: one
      GX run per dataset for every trust, its fixed cost paid once a wave, not once a trust)
      → finish (per trust: standardise, write the lake partitions).
    This process, which holds the warehouse, loads each finished chunk in one transaction as it
    comes back. The next wave is submitted before this one is collected, so its compute
    overlaps these loads; at most two waves are in flight, which bounds memory.

    A chunk that fails (compute, or a load whose transaction rolled back) is reported; its
    trust's later months are reported as not processed (their history would be wrong) and the
    next run retries them. Other trusts go on.
    """
    logger = get_run_logger()
    before: dict[str, PrefectFuture | TrustHistory] = {
        trust: trust_history(warehouse, trust) for trust in chains
    }
    stopped: set[str] = set()
    results: list[FileSummary] = []

    def fail(chunk: ChunkWork, exc: BaseException) -> None:
        logger.error("%s failed: %s", chunk.label, exc)
        stopped.add(chunk.trust_code)
        for work in chunk.partitions:
            on_done(work, None, exc)

    def not_processed(chunk: ChunkWork) -> None:
        reason = f"not processed: an earlier chunk of {chunk.trust_code} failed"
        fail(chunk, ChunkFailedError(reason))

    def submit(wave: list[ChunkWork]) -> dict[PrefectFuture, ChunkWork]:
        # A trust already failed is not computed further (nor its lake written) in this run.
        for chunk in (c for c in wave if c.trust_code in stopped):
            not_processed(chunk)
        wave = [c for c in wave if c.trust_code not in stopped]
        if not wave:
            return {}
        # Futures passed as arguments reach the task as their results (Prefect resolves them,
        # and on Dask the data moves between workers, not through this process); the type
        # checker sees the declared parameter types, hence the ignores.
        prepared = [prepare_task.submit(c, ctx, before[c.trust_code]) for c in wave]  # type: ignore[arg-type]
        before.update((c.trust_code, f) for c, f in zip(wave, prepared, strict=True))
        validated = validate_task.submit(prepared, ctx)  # type: ignore[arg-type]
        return {
            finish_task.submit(future, validated, position, ctx, lake_url): chunk  # type: ignore[call-overload]
            for position, (chunk, future) in enumerate(zip(wave, prepared, strict=True))
        }

    waves = waves_of(chains)
    finishing = submit(waves[0]) if waves else {}
    for number in range(1, len(waves) + 1):
        clock = _Clock()
        with clock("submitting"):
            following = submit(waves[number]) if number < len(waves) else {}
        for future in clock.timed("waiting", as_completed(list(finishing))):
            chunk = finishing[future]
            if chunk.trust_code in stopped:  # failed after this chunk was submitted
                not_processed(chunk)
                continue
            try:
                with clock("receiving"):
                    partitions = future.result()
                with clock("loading"):
                    loaded = load_chunk(partitions, warehouse)
            except Exception as exc:
                # compute or the lake write failed, or the load's transaction rolled back
                fail(chunk, exc)
                continue
            with clock("reporting"):
                for result, summaries in zip(partitions, loaded, strict=True):
                    _log(summaries)
                    results.extend(summaries)
                    on_done(result.work, summaries, None)
        logger.info("wave %d of %d (%d chunks): %s", number, len(waves), len(finishing), clock)
        finishing = following
    return results


class _Clock:
    """Seconds the flow's process spent on each step of a wave, for the run log."""

    def __init__(self) -> None:
        self.spent: dict[str, float] = {}

    @contextmanager
    def __call__(self, step: str) -> Iterator[None]:
        began = time.perf_counter()
        try:
            yield
        finally:
            self.spent[step] = self.spent.get(step, 0.0) + time.perf_counter() - began

    def timed(self, step: str, items: Iterator[T]) -> Iterator[T]:
        """Items of `items`, counting the time spent waiting for each as `step`."""
        while True:
            with self(step):
                item = next(items, None)
            if item is None:
                return
            yield item

    def __str__(self) -> str:
        return ", ".join(f"{step} {seconds:.1f} s" for step, seconds in self.spent.items())


def _log(summaries: list[FileSummary]) -> None:
    logger = get_run_logger()
    for s in summaries:
        if s.status == "rejected":
            logger.warning(
                "%s %s %s file '%s' rejected by rule %s: %s", s.trust_code, s.reporting_month,
                s.dataset, s.file_name, s.rejection_rule, s.rejection_reason,
            )  # fmt: skip
        else:
            logger.info(
                "%s %s %s file '%s': %d received, %d loaded, %d quarantined", s.trust_code,
                s.reporting_month, s.dataset, s.file_name, s.rows_received, s.rows_loaded,
                s.rows_quarantined,
            )  # fmt: skip


@task(name="refresh-marts", cache_policy=NO_CACHE, retries=1)
def marts_task(warehouse: Warehouse, registry: Registry, touched: list[tuple[str, date]]) -> None:
    warehouse.refresh_dimensions(registry)
    warehouse.refresh_marts(touched)
