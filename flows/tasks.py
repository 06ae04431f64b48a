"""Prefect tasks: thin wrappers that give each stage retries and a name in the UI.

Tasks use NO_CACHE and return small summaries or pseudonymised outcomes that are never persisted:
no Prefect result can hold a patient identifier.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from prefect import get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.futures import PrefectFuture, as_completed

from expectations.history import TrustHistory
from expectations.validate import RowValidation
from flows.landing import LandingProblem, SubmissionFile, scan_landing
from flows.load import load_chunk
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


@task(name="prepare-chunk", cache_policy=NO_CACHE, task_run_name="{chunk.trust_code}-prepare")
def prepare_task(
    chunk: ChunkWork, ctx: ComputeContext, history: TrustHistory
) -> tuple[PreparedChunk, TrustHistory]:
    """Validation failures are outcomes, not exceptions, so the compute tasks never retry."""
    return prepare_chunk(chunk, ctx, history)


@task(name="validate-rows", cache_policy=NO_CACHE)
def validate_task(
    prepared: list[PreparedChunk], ctx: ComputeContext
) -> list[list[RowValidation] | Exception]:
    return validate_wave(prepared, ctx)


@task(
    name="finish-chunk", cache_policy=NO_CACHE, task_run_name="{prepared.chunk.trust_code}-finish"
)
def finish_task(
    prepared: PreparedChunk, validated: list[RowValidation], ctx: ComputeContext
) -> list[PartitionResult]:
    return finish_chunk(prepared, validated, ctx)


def run_waves(
    chains: dict[str, list[ChunkWork]],
    ctx: ComputeContext,
    warehouse: Warehouse,
    lake_url: str,
    on_done: DoneCallback,
) -> list[FileSummary]:
    """Process every trust's chunks in waves: wave k holds each trust's k-th chunk.

    A trust's chunks go in month order; trusts go in parallel. For each wave: prepare every
    chunk on the task runner (threads or Dask workers), validate them all in this process (one
    GX run per dataset for all trusts: its fixed cost is paid once a wave, not once a trust),
    then finish them on the task runner and load each as it comes back, here, in the process
    that holds the warehouse. The next wave is prepared while this one validates and loads.

    A chunk that fails (compute, or a load whose transaction rolled back) is reported and stops
    only its own trust's later months (their history would be wrong); other trusts go on.
    """
    logger = get_run_logger()
    queues = {trust: list(chunks) for trust, chunks in chains.items()}
    histories = {trust: trust_history(warehouse, trust) for trust in queues}
    stopped: set[str] = set()
    results: list[FileSummary] = []

    def fail(chunk: ChunkWork, exc: BaseException) -> None:
        logger.error("%s failed: %s", chunk.label, exc)
        stopped.add(chunk.trust_code)
        for work in chunk.partitions:
            on_done(work, None, exc)

    def prepare_next_wave() -> dict[PrefectFuture, ChunkWork]:
        futures = {}
        for trust, queue in queues.items():
            if queue and trust not in stopped:
                chunk = queue.pop(0)
                futures[prepare_task.submit(chunk, ctx, histories[trust])] = chunk
        return futures

    preparing = prepare_next_wave()
    while preparing:
        wave: list[PreparedChunk] = []
        for future in as_completed(list(preparing)):
            chunk = preparing[future]
            if chunk.trust_code in stopped:
                continue  # an earlier chunk of this trust failed after this one was submitted
            try:
                prepared, histories[chunk.trust_code] = future.result()
            except Exception as exc:
                fail(chunk, exc)
                continue
            wave.append(prepared)
        preparing = prepare_next_wave()
        finishing: dict[PrefectFuture, ChunkWork] = {}
        for prepared, validated in zip(wave, validate_task(wave, ctx) if wave else [], strict=True):
            if isinstance(validated, Exception):
                fail(prepared.chunk, validated)
            else:
                finishing[finish_task.submit(prepared, validated, ctx)] = prepared.chunk
        for future in as_completed(list(finishing)):
            chunk = finishing[future]
            try:
                partitions = future.result()
                loaded = load_chunk(partitions, warehouse, lake_url)
            except Exception as exc:
                # compute failed, or the load failed and its transaction rolled back
                fail(chunk, exc)
                continue
            for result, summaries in zip(partitions, loaded, strict=True):
                _log(summaries)
                results.extend(summaries)
                on_done(result.work, summaries, None)
    return results


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
