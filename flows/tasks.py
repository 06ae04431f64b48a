"""Prefect tasks: thin wrappers that give each stage retries, timeouts and a name in the UI.

Tasks use NO_CACHE and return small summaries: DataFrames never cross a task boundary, so no
Prefect result can ever hold patient-level data.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from prefect import get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.futures import PrefectFuture

from flows.landing import LandingProblem, SubmissionFile, scan_landing
from flows.pipeline import FileSummary, PartitionWork, RunContext, process_partition
from transforms.trust_config import Registry


@task(name="scan-landing", cache_policy=NO_CACHE, retries=3, retry_delay_seconds=[2, 10, 30])
def scan_task(
    landing_url: str, registry: Registry, trusts: list[str] | None
) -> tuple[list[SubmissionFile], list[LandingProblem]]:
    files, problems = scan_landing(landing_url, registry, trusts)
    logger = get_run_logger()
    logger.info("landing %s: %d files found, %d problems", landing_url, len(files), len(problems))
    for problem in problems:
        logger.warning("%s: %s (%s)", problem.rule, problem.detail, problem.path)
    return files, problems


@task(
    name="process-partition", cache_policy=NO_CACHE,
    task_run_name="{work.trust_code}-{work.reporting_month:%Y-%m}",
)  # fmt: skip
def partition_task(work: PartitionWork, ctx: RunContext) -> list[FileSummary]:
    logger = get_run_logger()
    summaries = process_partition(work, ctx)
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
    return summaries


@task(name="refresh-marts", cache_policy=NO_CACHE, retries=1)
def marts_task(ctx: RunContext, touched: list[tuple[str, Any]]) -> None:
    ctx.warehouse.refresh_dimensions(ctx.registry)
    ctx.warehouse.refresh_marts(touched)


def run_chains(
    chains: dict[str, list[PartitionWork]],
    ctx: RunContext,
    on_done: Callable[[PartitionWork, list[FileSummary] | None, BaseException | None], None],
) -> list[FileSummary]:
    """Submit each trust's partitions as a chain (oldest month first); trusts run in parallel.

    A failed partition is reported and stops only its own trust's later months (their history
    would be wrong); every other trust goes on.
    """
    futures: list[tuple[PartitionWork, PrefectFuture]] = []
    for works in chains.values():
        previous: PrefectFuture | None = None
        for work in works:
            future = partition_task.submit(
                work, ctx, return_state=False, wait_for=[previous] if previous else []
            )
            futures.append((work, future))
            previous = future
    results: list[FileSummary] = []
    for work, future in futures:
        state = future.wait() or future.state
        if state is not None and state.is_completed():
            summaries = future.result()
            results.extend(summaries)
            on_done(work, summaries, None)
        else:
            error = _exception(future)
            on_done(work, None, error)
    return results


def _exception(future: PrefectFuture) -> BaseException:
    try:
        future.result()
    except BaseException as exc:
        return exc
    return RuntimeError("partition did not complete")
