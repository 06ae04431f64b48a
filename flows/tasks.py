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
from flows.landing import LandingProblem, SubmissionFile, scan_landing
from flows.load import load_chunk
from flows.outcomes import FileSummary
from flows.pipeline import (
    ChunkWork,
    ComputeContext,
    PartitionResult,
    PartitionWork,
    process_chunk,
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


@task(name="process-chunk", cache_policy=NO_CACHE, task_run_name="{chunk.trust_code}-chunk")
def chunk_task(
    chunk: ChunkWork, ctx: ComputeContext, history: TrustHistory
) -> tuple[list[PartitionResult], TrustHistory]:
    """Validation failures are outcomes, not exceptions, so this task never retries."""
    return process_chunk(chunk, ctx, history)


def run_chains(
    chains: dict[str, list[ChunkWork]],
    ctx: ComputeContext,
    warehouse: Warehouse,
    lake_url: str,
    on_done: DoneCallback,
) -> list[FileSummary]:
    """Run each trust's chunks one after another (months in order); trusts in parallel.

    Chunks compute on the task runner (threads, or Dask workers); each finished partition is
    loaded here, in the process that holds the warehouse. A failed chunk is reported and stops
    only its own trust's later months (their history would be wrong); other trusts go on.
    """
    logger = get_run_logger()
    queues = {trust: list(chunks) for trust, chunks in chains.items()}
    histories = {trust: trust_history(warehouse, trust) for trust in queues}
    results: list[FileSummary] = []
    while any(queues.values()):
        wave: dict[PrefectFuture, ChunkWork] = {}
        for trust, queue in queues.items():
            if queue:
                chunk = queue.pop(0)
                wave[chunk_task.submit(chunk, ctx, histories[trust])] = chunk
        for future in as_completed(list(wave)):
            chunk = wave[future]
            try:
                partitions, histories[chunk.trust_code] = future.result()
                loaded = load_chunk(partitions, warehouse, lake_url)
            except Exception as exc:
                # compute failed, or the load failed and its transaction rolled back
                logger.error("%s failed: %s", chunk.label, exc)
                queues[chunk.trust_code] = []
                for work in chunk.partitions:
                    on_done(work, None, exc)
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
