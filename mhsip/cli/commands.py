"""What each CLI command does, with rich output. Kept apart from cli.py so --help stays fast."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)

from flows.settings import Settings, prepare_environment, secure_home
from mhsip.cli.console import err, fail, out, registry_or_fail
from mhsip.config_loader import ConfigError


class _Bar:
    """rich progress bar fed by flows.runs.progress_listener."""

    def __init__(self, progress: Progress) -> None:
        self.progress = progress
        self.task: TaskID | None = None

    def start(self, total: int) -> None:
        self.task = self.progress.add_task("trust-months", total=total)

    def advance(self, work, ok: bool) -> None:
        if self.task is not None:
            self.progress.update(self.task, advance=1, description=f"{work.label}")


@contextmanager
def _log_file(settings: Settings) -> Iterator[Path]:
    """Also write the run's log lines (trust, month, file, rule; never patient data) to
    MHSIP_HOME/logs/mhsip.log, beside Prefect's own record of the run."""
    settings.logs.mkdir(parents=True, exist_ok=True)
    path = settings.logs / "mhsip.log"
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    names = ("prefect.flow_runs", "prefect.task_runs", "mhsip.nightly")  # the last: no flow run
    loggers = [logging.getLogger(n) for n in names]
    for logger in loggers:
        logger.addHandler(handler)
    try:
        yield path
    finally:
        for logger in loggers:
            logger.removeHandler(handler)
        handler.close()


def _run_flow(fn, settings: Settings, **kwargs) -> dict:
    """Run a flow with a progress bar; map the expected failures to one-line reasons.

    The flow returns its summary, or a Failed state carrying it (some trust-months failed) or
    carrying the busy reason (another run holds the warehouse).
    """
    from flows import runs
    from flows.runs import with_settings
    from serving import temporary_api

    columns = [
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    ]
    try:
        with (
            Progress(*columns, console=err, transient=True) as progress,
            _log_file(settings),
            temporary_api.for_this_run(),
        ):
            runs.progress_listener = _Bar(progress)
            try:
                state: Any = with_settings(fn, settings)(**kwargs, return_state=True)
            finally:
                runs.progress_listener = None
    except temporary_api.ServerStartError as exc:
        fail(str(exc))
    data = state.result(raise_on_failure=False)
    if isinstance(data, dict) and "busy" in data:
        fail(str(data["busy"]), 3)
    if isinstance(data, ConfigError):
        fail("configuration error: " + "; ".join(str(data).splitlines()), 2)
    if not isinstance(data, dict):
        fail(f"the run failed: {state.message or data}")
    return data


def _print_files(result: dict) -> None:
    files = result["files"]
    loaded = sum(f["status"] == "loaded" for f in files)
    rejected = [f for f in files if f["status"] == "rejected"]
    out.print(
        f"{len(files)} files processed: {loaded} loaded, {len(rejected)} rejected, "
        f"{sum(f['rows_loaded'] for f in files)} rows loaded, "
        f"{sum(f['rows_quarantined'] for f in files)} rows quarantined."
    )
    for f in rejected:
        out.print(
            f"  [yellow]rejected[/yellow] {f['trust_code']} {f['reporting_month']} {f['dataset']} "
            f"'{f['file_name']}': {f['rejection_rule']}: {f['rejection_reason']}"
        )
    for p in result["problems"]:
        out.print(f"  [yellow]{p['rule']}[/yellow]: {p['detail']}")
    if result["failures"]:
        for f in result["failures"]:
            err.print(f"  [red]failed[/red] {f['partition']}: {f['error']}")
        fail(f"{len(result['failures'])} trust-months failed; the next run will retry them")


def run_nightly(settings: Settings, trusts: list[str] | None) -> dict:
    """The nightly flow, unless the landing scan and the warehouse say nothing needs it
    (`flows.quiet_nightly`): then the same summary, messages and exit codes, with no Prefect
    server or flow run paid for."""
    from flows import compute_pool

    registry_or_fail(settings)  # a configuration error fails here, before Prefect starts
    try:
        result = _quiet_nightly(settings, trusts, lambda files: _start_workers(settings, files))
        if result is None:
            from flows.nightly import nightly_flow
            from serving import temporary_api

            temporary_api.start_in_background()
            result = _run_flow(nightly_flow, settings, trusts=trusts)
    finally:
        compute_pool.discard_early()  # the run took it, or failed before it could
    _print_files(result)
    return result


def _start_workers(settings: Settings, files: int) -> None:
    """The survey found `files` to process: start the run's worker processes now, while
    Prefect's server starts (`flows.compute_pool.start_early`)."""
    from flows import compute_pool

    if settings.task_runner != "dask":
        compute_pool.start_early(compute_pool.processes_for(settings.compute_processes, files))


def _quiet_nightly(
    settings: Settings, trusts: list[str] | None, on_work: Callable[[int], None]
) -> dict | None:
    from flows.quiet_nightly import quiet_nightly

    with _log_file(settings):
        try:
            result = quiet_nightly(settings, trusts, on_work)
        except Exception as exc:  # the flow meets it again and reports it as it always has
            logging.getLogger("mhsip.nightly").info("survey failed (%s); running the flow", exc)
            return None
    if result is not None and "busy" in result:
        fail(str(result["busy"]), 3)
    if result is not None and "failed" in result:
        fail(f"the run failed: {result['failed']}")
    return result


def run_backfill(
    settings: Settings, first: date, last: date, trusts: list[str] | None, dry_run: bool
) -> None:
    if dry_run:
        from flows.archive_access import without_purged
        from flows.backfill import backfill_plan
        from warehouse.engine import open_warehouse

        with open_warehouse(settings.warehouse, settings.lock_timeout_seconds) as wh:
            works, purged = without_purged(backfill_plan(wh, trusts, first, last),
                                           settings.archive_url)  # fmt: skip
        for line in purged:
            out.print(line)
        for w in works:
            for f in w.files:
                out.print(f"{w.label} {f.dataset:<26} {f.file_name}  sha256:{f.sha256[:16]}")
        out.print(f"{len(works)} trust-months would be reprocessed from the raw archive.")
        return
    from flows.backfill import backfill_flow

    registry_or_fail(settings)
    result = _run_flow(
        backfill_flow,
        settings,
        from_month=f"{first:%Y-%m}",
        to_month=f"{last:%Y-%m}",
        trusts=trusts,
    )
    for line in result.get("purged", []):
        out.print(line)
    _print_files(result)


def run_generate(
    settings: Settings, target: Path, start: date, months: int, trusts: list[str] | None,
    scale: float, seed: int, faults: bool,
) -> None:  # fmt: skip
    from synthetic import generate

    registry = registry_or_fail(settings)
    unknown = sorted(set(trusts or []) - set(registry.trusts))
    if unknown:
        fail(f"unknown trust code(s): {', '.join(unknown)}", 2)
    began = time.perf_counter()
    manifest = generate(
        target, registry, start, months, trusts, scale=scale, seed=seed, faults=faults
    )
    out.print(
        f"wrote {len(manifest.files)} files for {len(trusts or registry.trusts)} trusts x "
        f"{months} months to {target} in {time.perf_counter() - began:.1f} s "
        f"({len(manifest.faults)} injected faults listed in {target / '_generator_manifest.json'})"
    )


def run_report(settings: Settings, target: Path | None) -> Path:
    """Build the static report from the configured warehouse: PostgreSQL itself, or on DuckDB the
    operators' full copy each run publishes (never the live file)."""
    from landing.collect.deliver import unsorted_problems
    from report import build_report
    from warehouse.read_only import operators_source

    source = operators_source(settings.warehouse, settings.operators_copy_path)
    if isinstance(source, Path) and not source.exists():
        fail(f"no warehouse published yet at {source}; run `mhsip nightly`")
    registry = registry_or_fail(settings)
    unsorted = unsorted_problems(settings.landing_url)
    try:
        index = build_report(source, target or settings.reports, registry, unsorted)
    except Exception as exc:
        if type(exc).__name__ != "OperationalError":  # psycopg: server not reachable
            raise
        fail(f"cannot read the warehouse: {exc}")
    secure_home(settings)
    out.print(f"report: {index.resolve()}")
    return index


def run_grant_bi(settings: Settings, role: str, password: str, revoke_public_temp: bool) -> None:
    from warehouse.access import grant_bi

    try:
        grant = grant_bi(settings.warehouse, role, password or None, revoke_public_temp)
    except ValueError as exc:
        fail(str(exc), 2)
    out.print(
        f"role {role} can read pub_*, marts and dims, and nothing else; its sessions are read-only"
    )
    if grant.temp_allowed:
        err.print(
            f"[yellow]warning[/yellow]: {role} can still create temporary tables through the TEMP"
            f" privilege PUBLIC holds on database {grant.database}; rerun with"
            " --revoke-public-temp to revoke it from PUBLIC (the owner and superusers keep"
            " theirs; grant TEMP back to any other role that needs it)"
        )
    else:
        out.print(f"{role} cannot create temporary tables in database {grant.database}")
    out.print("CONNECT to the server's other databases: see docs/operations.md")


def run_db_upgrade(settings: Settings) -> None:
    from warehouse.engine import open_warehouse

    with open_warehouse(settings.warehouse, settings.lock_timeout_seconds):
        pass
    out.print(f"warehouse schema is up to date: {settings.warehouse}")


def run_backfill_deployment(
    settings: Settings, from_month: str, to_month: str, trusts: list[str] | None
) -> None:
    """The CLI side: trigger, print the run id and UI link, or exit 2 with a one-line reason."""
    from serving.deployments import BACKFILL
    from serving.trigger import DeploymentUnavailableError, submit_backfill

    prepare_environment(settings)
    try:
        run = submit_backfill(from_month, to_month, trusts)
    except DeploymentUnavailableError as exc:
        Console(stderr=True, soft_wrap=True).print(f"[red]mhsip: {exc}[/red]")
        raise typer.Exit(2) from None
    print(f"flow run {run.flow_run_id} ({run.name}): {run.state}")
    if run.deduplicated:
        print(
            "already requested today with the same parameters, so no new run was made; to run "
            f"it again now: prefect deployment run '{BACKFILL.full_name}' --param ..."
        )
    print(f"UI: {run.url}")
