"""The nightly with nothing to process, decided and finished without a flow run (docs/design.md
§9.2).

`mhsip nightly` used to start Prefect's temporary server (5-8 s here) and stop it again (~2 s)
to record a run that found nothing new. `quiet_nightly` first asks the landing scan and the
warehouse whether anything needs processing, with no Prefect server or flow run:
- something does (a changed or new file, a trust-month a killed run left without marts, or
  sources configured to collect from, which only the flow collects): it returns None, touching
  nothing, and the CLI runs the nightly flow as before; that run scans again and records
  itself in Prefect;
- nothing does: it finishes as the flow does with no work (the landing problems reported and
  logged, the BI copy published, MHSIP_HOME secured, the lateness alerts sent) and returns the
  flow's summary; a busy warehouse returns the flow's busy reason, so the CLI's exit codes and
  messages are the flow's.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from flows.alerts import alerting
from flows.plan import changed_files
from flows.run_context import BUSY, Run, RunReport, open_run
from flows.settings import Settings, secure_home
from landing.scan import LandingProblem, scan_landing
from mhsip.config_loader import load_registry, load_sources
from warehouse.store import WarehouseBusy

logger = logging.getLogger("mhsip.nightly")
logger.setLevel(logging.INFO)  # the run log records what the survey found


def needs_collecting(settings: Settings) -> bool:
    """Sources are configured: only the flow collects, so only the flow knows what is new."""
    return bool(load_sources(settings.sources_path, load_registry(settings.config_dir)).sources)


def quiet_nightly(
    settings: Settings, trusts: list[str] | None = None,
    on_work: Callable[[int], None] | None = None,
) -> dict | None:  # fmt: skip
    """The nightly's summary when there is nothing to process; None when the flow must run,
    after calling `on_work` with the number of new or changed files the survey found.

    The caller has checked the settings (`flows.preflight.check_settings`). An error while
    surveying propagates, and the caller runs the flow, which meets it again and reports it as
    it always has; an error while finishing is alerted (as the flow alerts it) and returned as
    `{"failed": reason}`; a busy warehouse as `{"busy": reason}`.
    """
    if needs_collecting(settings):
        return None
    try:
        with open_run(settings) as run:
            files, problems = scan_landing(
                settings.landing_url, run.registry, trusts, max_file_bytes=settings.max_file_bytes
            )
            changed = changed_files(files, run.warehouse.latest_submissions())
            if changed:
                if on_work is not None:
                    on_work(len(changed))
                return None
            if run.warehouse.pending_mart_partitions():
                return None
            try:
                return _finish(settings, run, len(files), problems)
            except Exception as exc:
                return {"failed": f"{type(exc).__name__}: {exc}"}
    except WarehouseBusy as exc:
        logger.error("%s%s", BUSY, exc)
        with alerting(settings, "nightly") as alerts:
            alerts.could_not_start(f"{BUSY}{exc}")
        return {"busy": str(exc)}


def _finish(settings: Settings, run: Run, found: int, problems: list[LandingProblem]) -> dict:
    """What the flow does after an empty scan: `flows.runs.execute` with no work, the alerts."""
    with alerting(settings, "nightly") as alerts:
        logger.info("landing %s: %d files found, %d problems; nothing new, so no flow run",
                    settings.landing_url, found, len(problems))  # fmt: skip
        for problem in problems:
            logger.warning("%s: %s (%s)", problem.rule, problem.detail, problem.path)
        report = RunReport(problems=problems)
        published = run.warehouse.checkpoint_and_publish(
            settings.published_path, settings.operators_copy_path
        )
        report.published = str(published)
        secure_home(settings)
        alerts.collect(report, run, lateness=True)
        return report.as_dict()
