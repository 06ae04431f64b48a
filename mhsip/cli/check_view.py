"""`mhsip check`: run the nightly's checks on a trust's files and print what it would decide.

Exit status, the worst across the files given: 0 accepted cleanly; 1 accepted with warnings or
quarantined rows; 2 rejected; 3 could not run (bad arguments, unknown trust, configuration).
Prints plain text (or JSON), never a patient identifier: rules, counts, row numbers and the
validation's details, which withhold identifiers and dates of birth.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from flows.settings import Settings
from mhsip.cli.console import err

if TYPE_CHECKING:
    from expectations.trust_history import TrustHistory
    from flows.precheck import CheckReport

COULD_NOT_RUN = 3
WORDS = {"accepted": "ACCEPTED", "accepted_with_findings": "ACCEPTED WITH FINDINGS",
         "rejected": "REJECTED"}  # fmt: skip
MEANING = {0: "accepted cleanly", 1: "accepted, with warnings or quarantined rows",
           2: "rejected", 3: "could not run"}  # fmt: skip


def cannot_run(reason: str) -> typer.Exit:
    err.print(f"mhsip check: {reason}", markup=False, highlight=False)
    return typer.Exit(COULD_NOT_RUN)


def run_check_command(
    paths: list[Path], trust: str | None, month: str | None, as_json: bool,
    html: Path | None, config: Path | None,
) -> None:  # fmt: skip
    from flows.precheck import CheckError, run_check, submission_files
    from mhsip.config_loader import ConfigError, load_registry

    if not paths or not trust or not month:
        raise cannot_run("give the files, --trust ODS and --month YYYY-MM")
    try:
        first_day = date.fromisoformat(f"{month}-01")
    except ValueError:
        raise cannot_run(f"'{month}' is not a YYYY-MM month") from None
    settings = Settings()
    folder = config or settings.config_dir
    try:
        registry = load_registry(folder)
        files = submission_files(paths, registry, trust, first_day)
    except (ConfigError, CheckError, OSError) as exc:
        raise cannot_run(f"{exc} (configuration folder {folder}; --config sets it)") from None
    history, source = _history(settings, trust)
    report = run_check(
        files, registry, key=_key(settings), history=history, history_source=source,
        max_file_bytes=settings.max_file_bytes,
    )  # fmt: skip
    if html is not None:
        from report.check_page import write_check_page

        write_check_page(report, html)
    if as_json:
        print(json.dumps(asdict(report) | {"exit_status": report.exit_status}, indent=1))
    else:
        print(render(report))
    raise typer.Exit(report.exit_status)


def _key(settings: Settings) -> bytes | None:
    secret = settings.pseudonymisation_key
    return secret.get_secret_value().encode() if secret is not None else None


def _history(settings: Settings, trust: str) -> tuple[TrustHistory | None, str]:
    """The trust's history from a read-only connection, when a warehouse is configured
    (MHSIP_WAREHOUSE_URL, or MHSIP_HOME with the operators' copy a run publishes); else None
    and why."""
    if not (os.environ.get("MHSIP_WAREHOUSE_URL") or os.environ.get("MHSIP_HOME")):
        return None, "no warehouse configured (MHSIP_WAREHOUSE_URL or MHSIP_HOME)"
    from warehouse.engine import is_postgres
    from warehouse.read_only import operators_source, read_only
    from warehouse.reads import trust_history_from

    where = "the PostgreSQL warehouse" if is_postgres(settings.warehouse) else (
        f"the operators' copy {settings.operators_copy_path}")  # fmt: skip
    try:
        with read_only(operators_source(settings.warehouse, settings.operators_copy_path)) as read:
            return trust_history_from(read, trust), where
    except Exception as exc:  # unreachable or not yet built: say so, check the rest
        return None, f"warehouse not readable ({type(exc).__name__}: {exc})"


def render(report: CheckReport) -> str:
    """The report as plain text lines, one file after another."""
    lines = [f"mhsip check {report.trust_code} {report.reporting_month}"]
    if report.history_rules_skipped:
        lines.append(f"  history-based rules skipped ({', '.join(report.history_rules_skipped)})"
                     f": {report.history}")  # fmt: skip
    else:
        lines.append(f"  history-based rules judged against {report.history}")
    for f in report.files:
        lines.append(
            f"{f.dataset} '{f.file_name}': {WORDS[f.decision]}; rows received "
            f"{f.rows_received}, would load {f.rows_loaded}, would quarantine {f.rows_quarantined}"
        )
        for r in f.results:
            rows = f"; example rows {', '.join(map(str, r.example_rows))}" if r.example_rows else ""
            lines.append(f"  {r.severity:<14} {r.rule}: {r.count}{rows}")
            if r.detail:
                lines.append(f"  {'':<14} {r.detail}")
    status = report.exit_status
    lines.append(f"exit status {status}: {MEANING[status]}")
    return "\n".join(lines)
