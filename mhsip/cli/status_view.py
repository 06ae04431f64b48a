"""`mhsip status`: the submission matrix on the terminal or as JSON."""

from __future__ import annotations

import json
from datetime import date

import pandas as pd
from rich.table import Table

from flows.settings import Settings
from mhsip.cli.console import fail, out, registry_or_fail


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
            if first is None or last is None:
                received = read("SELECT MIN(reporting_month) AS a, MAX(reporting_month) AS b"
                                " FROM etl_submission", [])  # fmt: skip
                if received["a"].isna().all():
                    fail("nothing has been received yet; run `mhsip nightly`")
                first = first or received["a"].iloc[0]
                last = last or received["b"].iloc[0]
            months = months_between(_month_of(first), _month_of(last))
            frame = status_matrix(read, sorted(registry.trusts), months, today, settings.due_day)
    except FileNotFoundError as exc:
        fail(str(exc))
        return
    if as_json:
        print(json.dumps(frame.to_dict(orient="records"), indent=1))
        return
    table = Table(
        title=f"Submissions as of {today} ({', '.join(f'{k} {v}' for k, v in LEGEND.items())})"
    )
    table.add_column("trust")
    for month in months:
        table.add_column(f"{month:%y-%m}", justify="center")
    for trust, group in frame.groupby("trust_code", sort=True):
        table.add_row(str(trust), *[MARKS[state] for state in group["state"]])
    out.print(table)
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


LEGEND = {"L": "loaded", "0": "nil return", "P": "partial", "R": "rejected", "-": "not yet due",
          "!": "late"}  # fmt: skip
MARKS = {
    "loaded": "[green]L[/green]", "nil": "[green]0[/green]", "partial": "[yellow]P[/yellow]",
    "rejected": "[red]R[/red]", "missing": "-", "late": "[bold red]![/bold red]",
}  # fmt: skip


def _month_of(value: object) -> date:
    stamp = pd.Timestamp(str(value))
    return date(stamp.year, stamp.month, 1)
