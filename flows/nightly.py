"""The nightly flow: process whatever is new or changed in the landing zone (design.md §3.6)."""

from __future__ import annotations

from prefect import State, flow
from prefect.task_runners import ThreadPoolTaskRunner

from flows.plan import changed_files, group_partitions
from flows.preflight import check_settings
from flows.runs import busy, execute, finished, open_run
from flows.settings import Settings
from flows.tasks import scan_task
from warehouse.store import WarehouseBusy


@flow(
    name="mhsip-nightly",
    task_runner=ThreadPoolTaskRunner(max_workers=4),  # type: ignore[arg-type]  # bounded
    description="Load new and changed submissions from the landing zone.",
)
def nightly_flow(trusts: list[str] | None = None) -> dict | State:
    """Idempotent: files already seen (same content) are skipped; a second run changes nothing."""
    settings = Settings()
    try:
        check_settings(settings, landing=True)  # one line, before anything is touched
        with open_run(settings) as run:
            files, problems = scan_task(
                settings.landing_url, run.registry, trusts, settings.max_file_bytes
            )
            todo = changed_files(files, run.warehouse.latest_submissions())
            return finished(execute(run, group_partitions(todo), problems))
    except WarehouseBusy as exc:
        return busy(exc)
