"""`mhsip demo`: generate, run, report, and show where everything is."""

from __future__ import annotations

import shutil
from collections import defaultdict
from datetime import date
from pathlib import Path

from rich.table import Table

from flows.settings import Settings
from mhsip.cli.commands import run_generate, run_nightly, run_report
from mhsip.cli.console import out


def run_demo(settings: Settings, start: date, months: int, scale: float) -> None:
    landing = Path(settings.landing_url)
    out.print(f"[bold]mhsip demo[/bold] into {settings.home.resolve()} (synthetic data, demo key)")
    run_generate(settings, landing, start, months, None, scale, seed=42, faults=True)
    copy_reference(landing, settings)
    result = run_nightly(settings, None)
    demo_summary(result)
    run_report(settings, None)
    demo_paths(settings)


def copy_reference(generated: Path, settings: Settings) -> None:
    """The generator's synthetic IMD table becomes the demo's reference data."""
    reference = generated / "_reference" / "imd_lsoa.csv"
    if reference.exists():
        (settings.home / "reference").mkdir(parents=True, exist_ok=True)
        shutil.copy(reference, settings.home / "reference" / "imd_lsoa.csv")


def demo_summary(result: dict) -> None:
    per: dict[str, dict] = defaultdict(lambda: {"months": set(), "loaded": 0, "quar": 0, "rej": []})
    for f in result["files"]:
        row = per[f["trust_code"]]
        if f["status"] == "loaded":
            row["months"].add(f["reporting_month"])
        else:
            row["rej"].append(f"{f['reporting_month']} {f['rejection_rule']}")
        row["loaded"] += f["rows_loaded"]
        row["quar"] += f["rows_quarantined"]
    table = Table(title="Demo run by trust")
    for name in ("trust", "months loaded", "rows loaded", "rows quarantined", "rejected files"):
        table.add_column(name)
    for trust, row in sorted(per.items()):
        table.add_row(
            trust, str(len(row["months"])), str(row["loaded"]), str(row["quar"]),
            "; ".join(row["rej"]) or "-",
        )  # fmt: skip
    out.print(table)


def demo_paths(settings: Settings) -> None:
    from warehouse.engine import is_postgres

    postgres = is_postgres(settings.warehouse)
    if postgres:
        from warehouse.postgres_store import safe_url

        out.print(f"warehouse:             {safe_url(settings.warehouse)}")
        out.print("warehouse (for BI):    the same database, as the role `mhsip db grant-bi` makes")
    else:
        out.print(f"warehouse (live):      {settings.warehouse}")
        out.print(f"warehouse (for BI):    {settings.published_path.resolve()}")
        out.print(f"full copy (operators): {settings.operators_copy_path.resolve()}")
    out.print(f"Parquet lake:          {Path(settings.lake_url).resolve()}")
    out.print(f"raw archive:           {Path(settings.archive_url).resolve()} (encrypted)")
    out.print(f"landing zone:          {Path(settings.landing_url).resolve()}")
    out.print(f"run log:               {(settings.logs / 'mhsip.log').resolve()}")
    out.print(f"Prefect home:          {(settings.home / 'prefect').resolve()}")
    out.print(f"HTML report:           {(settings.reports / 'index.html').resolve()}")
    query = (
        "SELECT reporting_month, interventions, occupied_bed_days, interventions_per_1000_obd "
        "FROM mart_trust_month WHERE trust_code = 'ALL' ORDER BY reporting_month"
    )
    out.print("example query (the collaborative's rate per 1,000 occupied bed days):")
    out.print(f"  {query}")
    if postgres:
        out.print("  (connect as the BI role; docs/bi.md has each tool's connection)")
    else:
        out.print("  (open the BI copy read-only with any DuckDB client; docs/bi.md per tool)")
