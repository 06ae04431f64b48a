"""Prefect tasks: thin wrappers that give each stage retries and a name in the UI. The order
they run in is `flows.waves`.

Tasks use NO_CACHE and return small summaries or pseudonymised outcomes that are never persisted:
no Prefect result can hold a patient identifier.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import TypeVar

from prefect import get_run_logger, task
from prefect.cache_policies import NO_CACHE

from expectations.trust_history import TrustHistory
from flows.compute_pool import ComputePool
from flows.outcomes import FileSummary
from flows.pipeline import ChunkOutcome, compute_wave
from flows.work import ChunkWork, ComputeContext, PartitionWork
from landing.collect.run import as_landing_problems, collect_all, summary
from landing.collect.sources import Sources
from landing.scan import LandingProblem, SubmissionFile, scan_landing
from transforms.trust_config import Registry
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


@task(name="collect", cache_policy=NO_CACHE)
def collect_task(
    sources: Sources, registry: Registry, landing_url: str, archive_url: str
) -> list[LandingProblem]:
    """Stage 1: pull what the trusts sent (MESH, SFTP, S3) into the landing zone. A source that
    is down is retried with backoff inside, then reported; the others go on."""
    reports = collect_all(sources, registry, landing_url, archive_url)
    logger = get_run_logger()
    for report in reports:
        logger.info("%s", summary(report))
    problems = as_landing_problems(reports)
    for problem in problems:
        logger.warning("%s: %s (%s)", problem.rule, problem.detail, problem.path)
    return problems


class ChunkFailedError(RuntimeError):
    """A chunk that could not be computed; the message says why (a string travels between
    processes where some exceptions cannot)."""


@task(name="compute-wave", cache_policy=NO_CACHE, task_run_name="wave-{number}-{group}")
def wave_task(
    chunks: list[ChunkWork],
    before: list[ChunkOutcome] | dict[str, TrustHistory],
    ctx: ComputeContext,
    lake_url: str,
    pool: ComputePool | None,
    number: int,
    group: int,
) -> list[ChunkOutcome]:
    """One group of trusts' chunks of wave `number`: everything but the warehouse load
    (`flows.pipeline.compute_wave`), in a worker process of `pool`, or here without one.

    `before` is the group's previous wave (its outcomes) or, for the first, each trust's
    history from the warehouse. Never raises for one chunk: a failed chunk is an outcome with
    its error, so the group's other trusts go on. Validation failures are outcomes, not
    exceptions, so this task never retries.
    """
    histories: dict[str, TrustHistory | ChunkOutcome] = (
        {o.chunk.trust_code: o.for_next_wave() for o in before}
        if isinstance(before, list)
        else dict(before)
    )
    if pool is None:
        return compute_wave(chunks, histories, ctx, lake_url)
    return pool.run(compute_wave, chunks, histories, ctx, lake_url)


@task(name="refresh-marts", cache_policy=NO_CACHE, retries=1)
def marts_task(
    warehouse: Warehouse, registry: Registry, touched: list[tuple[str, date]],
    pool: ComputePool | None = None,
) -> None:  # fmt: skip
    """Dimensions, then the touched trust-months' marts; each pass's marts built in the run's
    worker processes when it has them."""
    warehouse.refresh_dimensions(registry)
    warehouse.refresh_marts(touched, pool.imap if pool is not None else map)
