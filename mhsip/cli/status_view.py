"""`mhsip status`: the submission matrix on the terminal or as JSON."""

from __future__ import annotations

import json
from datetime import date

import pandas as pd

from flows.settings import Settings
from mhsip.cli.console import fail, out, registry_or_fail
from mhsip.cli.status_matrix import change_lines, default_window, legend, matrix_blocks

CHANGES_SQL = """
SELECT trust_code, reporting_month, measure, value_before, value_after, changed_at
FROM etl_resubmission_change WHERE reporting_month >= ? AND reporting_month <= ?"""


def run_status(
    settings: Settings, as_json: bool, first: date | None, last: date | None, today: date
) -> None:
    """Trusts x months: loaded, nil return, partial, rejected, missing or late."""
    from flows.plan import months_between
    from warehouse.submission_status import operators_source, read_only, status_matrix

    registry = registry_or_fail(settings)
    try:
        source = operators_source(settings.warehouse, settings.operators_copy_path)
        with read_only(source) as read:
            received = read("SELECT MIN(reporting_month) AS a, MAX(reporting_month) AS b"
                            " FROM etl_submission", [])  # fmt: skip
            if received["a"].isna().all():
                fail("nothing has been received yet; run `mhsip nightly`")
            first, last = default_window(
                _month_of(received["a"].iloc[0]), _month_of(received["b"].iloc[0]), first, last
            )
            months = months_between(first, last)
            frame = status_matrix(read, sorted(registry.trusts), months, today, settings.due_day)
            changes = read(CHANGES_SQL, [months[0], months[-1]])
    except FileNotFoundError as exc:
        fail(str(exc))
        return
    if as_json:
        print(json.dumps(frame.to_dict(orient="records"), indent=1))
        return
    out.print(f"Submissions as of {today}, {months[0]:%Y-%m} to {months[-1]:%Y-%m} "
              f"({legend()})", markup=False, highlight=False)  # fmt: skip
    for block in matrix_blocks(frame, months, out.width, styled=out.is_terminal):
        out.print()
        for line in block:
            out.print(line, no_wrap=True, overflow="ignore", crop=False, highlight=False)
    if len(changes):
        out.print()
        out.print("Resubmissions that changed published measures:", highlight=False)
        for line in change_lines(changes):
            out.print(f"  {line}", markup=False, highlight=False)
    out.print(
        f"rows received {frame.rows_received.sum()}, loaded {frame.rows_loaded.sum()}, "
        f"quarantined {frame.rows_quarantined.sum()}; files rejected {frame.files_rejected.sum()}; "
        f"trust-months late {(frame.state == 'late').sum()}"
    )
    _print_unsorted(settings)


def _print_unsorted(settings: Settings) -> None:
    """Collected files kept unsorted (no trust, dataset or month could be told for them)."""
    from rich.markup import escape

    from landing.collect.deliver import unsorted_problems

    items = unsorted_problems(settings.landing_url)
    if items:
        out.print(f"[yellow]{len(items)} collected files kept unsorted[/yellow] "
                  "(docs/operations.md, 'An unsorted message'):")  # fmt: skip
    for item in items:
        out.print(f"  {escape(str(item['rule']))}: {escape(str(item['source']))} "
                  f"{escape(str(item['item']))}: {escape(str(item['detail']))}")  # fmt: skip


def _month_of(value: object) -> date:
    stamp = pd.Timestamp(str(value))
    return date(stamp.year, stamp.month, 1)
