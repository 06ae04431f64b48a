"""What a nightly run and a backfill share: open the run (`flows.run_context`), process
partitions, finish the run."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Protocol

from prefect import Flow, State, get_run_logger
from prefect.states import Failed
from prefect.task_runners import ThreadPoolTaskRunner

from expectations.gx_runner import warm_up_in_background
from flows import artifacts
from flows.compute_pool import ComputePool, compute_pool, processes_for
from flows.plan import chunk_by_trust
from flows.run_context import (  # re-exported: the flows and tests import them from here
    BUSY,
    Run,
    RunReport,
    check_key,
    load_imd,
    open_run,
    open_with_retries,
)  # fmt: skip
from flows.settings import Settings, secure_home
from flows.tasks import marts_task
from flows.waves import run_waves
from flows.work import PartitionWork
from landing.scan import LandingProblem
from mhsip.failpoints import failpoint

__all__ = [
    "BUSY", "Run", "RunReport", "busy", "check_key", "execute", "finished", "load_imd",
    "open_run", "open_with_retries", "progress_listener", "task_runner", "with_settings",
]  # fmt: skip


class ProgressListener(Protocol):
    """Set by the CLI to draw a progress bar while a run goes."""

    def start(self, total: int) -> None: ...
    def advance(self, work: PartitionWork, ok: bool) -> None: ...


progress_listener: ProgressListener | None = None


def busy(exc: Exception) -> State:
    """A failed run with a one-line reason (no traceback): another run holds the warehouse."""
    get_run_logger().error("%s%s", BUSY, exc)
    return Failed(message=f"{BUSY}{exc}", data={"busy": str(exc)})


def finished(report: RunReport) -> dict | State:
    """The run's summary; a Failed state carrying it when any trust-month failed, so the
    scheduler and the UI show the run as failed while everything that could load did."""
    summary = report.as_dict()
    if report.failures:
        return Failed(
            message=f"{len(report.failures)} trust-months failed; the next run retries them",
            data=summary,
        )
    return summary


def task_runner(settings: Settings) -> Any:
    """Threads by default; a Dask cluster (prefect-dask) when MHSIP_TASK_RUNNER=dask.

    A local cluster's worker processes get this process's Prefect API URL: without it each
    worker would start a temporary Prefect server of its own (seconds each) and record its task
    runs there, out of sight. `serving.temporary_api` makes sure there is one to pass on.
    """
    if settings.task_runner == "dask":
        from prefect.settings import PREFECT_API_URL
        from prefect_dask import DaskTaskRunner

        if settings.dask_address:
            return DaskTaskRunner(address=settings.dask_address)
        api = PREFECT_API_URL.value()
        return DaskTaskRunner(
            cluster_kwargs={
                "n_workers": settings.max_workers, "processes": True,
                "env": {"PREFECT_API_URL": api} if api else {},
            }
        )  # fmt: skip
    # A wave's tasks wait on worker processes, and two waves are in flight: a thread for each.
    processes = settings.compute_processes or os.cpu_count() or 1
    return ThreadPoolTaskRunner(max_workers=max(settings.max_workers, 2 * processes))


def with_settings(flow_fn: Flow, settings: Settings) -> Flow:
    """The flow with its task runner chosen by MHSIP_TASK_RUNNER / MHSIP_MAX_WORKERS."""
    return flow_fn.with_options(task_runner=task_runner(settings))


@contextmanager
def _compute_pool(
    settings: Settings, works: list[PartitionWork]
) -> Iterator[tuple[ComputePool | None, int]]:
    """Where the waves compute, and in how many groups of trusts: a group per worker process
    (`flows.compute_pool`), per Dask worker, or one in this process's task threads."""
    if settings.task_runner == "dask":
        yield None, settings.max_workers
        return
    files = sum(len(w.files) for w in works)
    with compute_pool(processes_for(settings.compute_processes, files)) as pool:
        if pool is None and works:
            warm_up_in_background()  # validation runs in this process, after the first reads
        yield pool, pool.processes if pool is not None else 1


def execute(run: Run, works: list[PartitionWork], problems: list[LandingProblem]) -> RunReport:
    """Process the partitions, refresh marts for those touched, publish the BI copy."""
    logger = get_run_logger()
    report = RunReport(problems=problems, partitions=len(works))
    logger.info("%d trust-months to process", len(works))
    progress = artifacts.RunProgress(len(works))
    if progress_listener is not None:
        progress_listener.start(len(works))

    def on_done(work: PartitionWork, summaries: object, error: BaseException | None) -> None:
        if error is not None:
            report.failures.append({"partition": work.label, "error": str(error)})
        progress.advance()
        if progress_listener is not None:
            progress_listener.advance(work, error is None)

    chains = chunk_by_trust(works, run.settings.chunk_months, run.settings.chunk_bytes)
    with _compute_pool(run.settings, works) as (pool, groups):
        report.files = run_waves(
            chains, run.compute, run.warehouse, run.settings.lake_url, on_done, groups, pool
        )
        failpoint("after_commit_before_marts")
        # Trust-months loaded by this run, plus any a killed run loaded but never refreshed.
        touched = sorted(
            {(w.trust_code, w.reporting_month) for w in works}
            | set(run.warehouse.pending_mart_partitions())
        )
        if touched:
            marts_task(run.warehouse, run.registry, touched, pool)
    published = run.warehouse.checkpoint_and_publish(
        run.settings.published_path, run.settings.operators_copy_path
    )
    report.published = str(published)
    secure_home(run.settings)
    artifacts.publish_run_artifacts(report)
    return report
