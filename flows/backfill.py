"""The backfill flow: reprocess a range of trust-months from the raw archive (design.md §3.6).

Reads the archived bytes of the latest version received for each trust-month-dataset, so it works
after the landing zone has been cleaned, and gives the same tables the nightly runs gave.
"""

from __future__ import annotations

from datetime import date

from prefect import State, flow, get_run_logger
from prefect.task_runners import ThreadPoolTaskRunner

from flows.alerts import alerting
from flows.archive_access import access_rows, without_purged
from flows.plan import archived_files, group_partitions
from flows.preflight import check_settings
from flows.runs import BUSY, busy, execute, finished, open_run
from flows.settings import Settings
from flows.work import PartitionWork
from warehouse.store import Warehouse, WarehouseBusy


def backfill_plan(
    warehouse: Warehouse, trusts: list[str] | None, first: date, last: date
) -> list[PartitionWork]:
    """The latest received version of every trust-month-dataset in the range, from the archive."""
    archived = warehouse.archived_submissions(trusts, first, last)
    return group_partitions(archived_files(archived), from_archive=True)


@flow(
    name="mhsip-backfill",
    task_runner=ThreadPoolTaskRunner(max_workers=4),  # type: ignore[arg-type]  # bounded
    description="Reprocess trust-months from the raw archive.",
)
def backfill_flow(from_month: str, to_month: str, trusts: list[str] | None = None) -> dict | State:
    settings = Settings()
    first, last = date.fromisoformat(f"{from_month}-01"), date.fromisoformat(f"{to_month}-01")
    with alerting(settings, "backfill") as alerts:
        try:
            check_settings(settings, landing=False)  # one line, before anything is touched
            with open_run(settings) as run:
                planned = backfill_plan(run.warehouse, trusts, first, last)
                works, purged = without_purged(planned, settings.archive_url)
                for line in purged:
                    get_run_logger().warning("%s", line)
                run.warehouse.record_archive_access(
                    access_rows(works, "backfill", run.compute.flow_run_id)
                )
                report = execute(run, works, [])
                report.purged = purged
                alerts.collect(report, run)
                return finished(report)
        except WarehouseBusy as exc:
            alerts.could_not_start(f"{BUSY}{exc}")
            return busy(exc)
