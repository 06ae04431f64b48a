"""What a nightly run and a backfill share: open the run, process partitions, finish the run."""

from __future__ import annotations

import csv
import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Protocol

from prefect import Flow, State, get_run_logger
from prefect.exceptions import MissingContextError
from prefect.runtime import flow_run
from prefect.states import Failed
from prefect.task_runners import ThreadPoolTaskRunner

from expectations.gx_runner import warm_up_in_background
from flows import artifacts
from flows.outcomes import FileSummary
from flows.plan import chunk_by_trust
from flows.preflight import SettingsError
from flows.settings import Settings, secure_home
from flows.tasks import marts_task
from flows.waves import run_waves
from flows.work import ComputeContext, PartitionWork
from landing.scan import LandingProblem
from mhsip.config_loader import load_registry
from mhsip.failpoints import failpoint
from transforms.identifiers import key_fingerprint
from transforms.read_guards import ReadLimits
from transforms.trust_config import Registry
from warehouse.engine import open_warehouse
from warehouse.key_check import KEY_MISMATCH
from warehouse.store import Warehouse, WarehouseBusy


class ProgressListener(Protocol):
    """Set by the CLI to draw a progress bar while a run goes."""

    def start(self, total: int) -> None: ...
    def advance(self, work: PartitionWork, ok: bool) -> None: ...


progress_listener: ProgressListener | None = None


@dataclass
class Run:
    """One open run: settings, the compute context, and the warehouse it holds."""

    settings: Settings
    registry: Registry
    compute: ComputeContext
    warehouse: Warehouse


@dataclass
class RunReport:
    """What one run did, without patient data: printed by the CLI, returned by the flow."""

    files: list[FileSummary] = field(default_factory=list)
    problems: list[LandingProblem] = field(default_factory=list)
    failures: list[dict[str, str]] = field(default_factory=list)
    partitions: int = 0
    published: str | None = None
    purged: list[str] = field(default_factory=list)  # backfill: months past retention

    def as_dict(self) -> dict:
        return {
            "partitions": self.partitions,
            "files": [asdict(f) for f in self.files],
            "problems": [asdict(p) for p in self.problems],
            "failures": self.failures,
            "published": self.published,
            "purged": self.purged,
        }


BUSY = "warehouse busy: "


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
    return ThreadPoolTaskRunner(max_workers=settings.max_workers)


def with_settings(flow_fn: Flow, settings: Settings) -> Flow:
    """The flow with its task runner chosen by MHSIP_TASK_RUNNER / MHSIP_MAX_WORKERS."""
    return flow_fn.with_options(task_runner=task_runner(settings))


def load_imd(path: Path | None) -> dict[str, int] | None:
    if path is None:
        return None
    with path.open(newline="", encoding="utf-8") as handle:
        rows = csv.DictReader(line for line in handle if not line.startswith("#"))
        return {r["lsoa"]: int(r["imd_decile"]) for r in rows}


def _logger() -> Any:
    try:
        return get_run_logger()
    except MissingContextError:  # called outside a flow run (tests, scripts)
        return logging.getLogger("mhsip")


def open_with_retries(settings: Settings, attempts: int = 3, first_delay: float = 2.0) -> Warehouse:
    """Open the warehouse, retrying a transient connection failure (a PostgreSQL restart, a
    network blip) with backoff; a busy warehouse (another run) is not retried here: the lock
    wait already has its own timeout."""
    for attempt in range(1, attempts + 1):
        try:
            return open_warehouse(settings.warehouse, settings.lock_timeout_seconds)
        except WarehouseBusy:
            raise
        except OSError as exc:  # psycopg.OperationalError is not an OSError: see below
            error: Exception = exc
        except Exception as exc:
            if type(exc).__name__ != "OperationalError":
                raise
            error = exc
        if attempt == attempts:
            raise error
        delay = first_delay * 2 ** (attempt - 1)
        _logger().warning("warehouse not reachable (%s); retrying in %.0f s", error, delay)
        time.sleep(delay)
    raise AssertionError("unreachable")


def check_key(warehouse: Warehouse, key: bytes) -> None:
    """Stop (one line) when the key differs from the one the warehouse was built with, before
    anything is written; a warehouse without a fingerprint records this key's."""
    fingerprint = key_fingerprint(key)
    stored = warehouse.key_fingerprint()
    if stored is None:
        warehouse.record_key_fingerprint(fingerprint)
    elif stored != fingerprint:
        raise SettingsError(KEY_MISMATCH)


@contextmanager
def open_run(settings: Settings) -> Iterator[Run]:
    registry = load_registry(settings.config_dir)
    compute = ComputeContext(
        registry=registry, key=settings.key_bytes(), archive_url=settings.archive_url,
        imd=load_imd(settings.imd_path), flow_run_id=str(flow_run.id) if flow_run.id else None,
        max_file_bytes=settings.max_file_bytes,
        read_limits=ReadLimits(max_uncompressed_bytes=settings.max_xlsx_uncompressed_bytes,
                               max_columns=settings.max_columns),
        archive_keys=settings.archive_keyring(),
    )  # fmt: skip
    warehouse = open_with_retries(settings)
    try:
        check_key(warehouse, compute.key)
        yield Run(settings, registry, compute, warehouse)
    finally:
        warehouse.close()


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

    if works and run.settings.task_runner == "threads":
        warm_up_in_background()  # validation runs in this process, after the first reads
    chains = chunk_by_trust(works, run.settings.chunk_months)
    report.files = run_waves(chains, run.compute, run.warehouse, run.settings.lake_url, on_done)
    failpoint("after_commit_before_marts")
    # Trust-months loaded by this run, plus any a killed run loaded but never refreshed.
    touched = sorted(
        {(w.trust_code, w.reporting_month) for w in works}
        | set(run.warehouse.pending_mart_partitions())
    )
    if touched:
        marts_task(run.warehouse, run.registry, touched)
    published = run.warehouse.checkpoint_and_publish(
        run.settings.published_path, run.settings.operators_copy_path
    )
    report.published = str(published)
    secure_home(run.settings)
    artifacts.publish_run_artifacts(report)
    return report
