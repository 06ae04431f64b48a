"""The nightly flow: collect what the trusts sent, then process whatever is new or changed in the
landing zone (design.md §3.6)."""

from __future__ import annotations

from prefect import State, flow
from prefect.task_runners import ThreadPoolTaskRunner

from flows.alerts import alerting
from flows.plan import changed_files, group_partitions
from flows.preflight import check_settings
from flows.runs import BUSY, busy, execute, finished, open_run
from flows.settings import Settings
from flows.tasks import collect_task, scan_task
from mhsip.config_loader import load_sources
from warehouse.store import WarehouseBusy


@flow(
    name="mhsip-nightly",
    task_runner=ThreadPoolTaskRunner(max_workers=4),  # type: ignore[arg-type]  # bounded
    description="Load new and changed submissions from the landing zone.",
)
def nightly_flow(trusts: list[str] | None = None) -> dict | State:
    """Idempotent: files already seen (same content) are skipped; a second run changes nothing."""
    settings = Settings()
    with alerting(settings, "nightly") as alerts:
        try:
            check_settings(settings, landing=True)  # one line, before anything is touched
            with open_run(settings) as run:
                sources = load_sources(settings.sources_path, run.registry)
                collected = (
                    collect_task(sources, run.registry, settings.landing_url, settings.archive_url)
                    if sources.sources
                    else []
                )
                files, problems = scan_task(
                    settings.landing_url, run.registry, trusts, settings.max_file_bytes
                )
                todo = changed_files(files, run.warehouse.latest_submissions())
                report = execute(run, group_partitions(todo), collected + problems)
                alerts.collect(report, run, lateness=True)
                return finished(report)
        except WarehouseBusy as exc:
            alerts.could_not_start(f"{BUSY}{exc}")
            return busy(exc)
