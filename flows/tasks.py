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
from expectations.validate import RowValidation
from flows.load_stage import write_lake
from flows.outcomes import FileSummary
from flows.pipeline import CheckedChunk, check_chunk, finish_chunk, validate_wave
from flows.work import ChunkWork, ComputeContext, PartitionResult, PartitionWork
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


@task(name="check-files", cache_policy=NO_CACHE, task_run_name="{chunk.trust_code}-check")
def check_task(
    chunk: ChunkWork, ctx: ComputeContext, before: CheckedChunk | TrustHistory
) -> CheckedChunk:
    """Check a chunk from the history its trust's previous chunk left (`before`).

    Never raises: a failure is returned as the chunk's `error`, because the wave's validation
    depends on every trust's chunk and one trust's failure must not stop the others. A trust's
    later chunks are not prepared once one has failed (their history would be wrong).
    Validation failures are outcomes, not exceptions, so the compute tasks never retry.
    """
    history = before if isinstance(before, TrustHistory) else before.history
    if isinstance(before, CheckedChunk) and before.error is not None:
        reason = f"not processed: the months before failed ({before.chunk.label})"
        return CheckedChunk(chunk, [], history, error=reason)
    try:
        return check_chunk(chunk, ctx, history)
    except Exception as exc:
        get_run_logger().exception("%s could not be prepared", chunk.label)
        return CheckedChunk(chunk, [], history, error=f"{type(exc).__name__}: {exc}")


@task(name="validate-rows", cache_policy=NO_CACHE)
def validate_task(
    prepared: list[CheckedChunk], ctx: ComputeContext
) -> list[list[RowValidation] | str]:
    """Row rules for a whole wave, one GX suite run per dataset for every trust."""
    return validate_wave(prepared, ctx)


@task(name="finish-chunk", cache_policy=NO_CACHE)
def finish_task(
    prepared: CheckedChunk,
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


@task(name="refresh-marts", cache_policy=NO_CACHE, retries=1)
def marts_task(warehouse: Warehouse, registry: Registry, touched: list[tuple[str, date]]) -> None:
    warehouse.refresh_dimensions(registry)
    warehouse.refresh_marts(touched)
