"""The submission matrix for `mhsip status`, read without the writer lock.

Read through `warehouse.read_only` (DuckDB: the operators' full copy; PostgreSQL: the database
on a read-only session, no advisory lock), so status works while a run is loading.

Cell states per trust-month, from the latest version of each dataset:
`loaded` (both files loaded), `nil` (loaded, interventions a header-only nil return: a real zero),
`partial` (one file loaded), `rejected` (files arrived, none loaded), `missing` (nothing arrived,
not yet due), `late` (nothing arrived and the due day of the following month has passed).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import pandas as pd

from warehouse.read_only import operators_source, read_only
from warehouse.reads import Reader, submission_matrix

__all__ = ["cell_state", "due_date", "operators_source", "read_only", "status_matrix"]


def due_date(month: date, due_day: int) -> date:
    """A month's submission is due on `due_day` of the following month."""
    nxt = date(month.year + month.month // 12, month.month % 12 + 1, 1)
    return nxt.replace(day=due_day)


def cell_state(datasets: pd.DataFrame, month: date, today: date, due_day: int) -> str:
    """State of one trust-month from its latest rows (one per dataset received)."""
    if datasets.empty:
        return "late" if today > due_date(month, due_day) else "missing"
    loaded = datasets[datasets["status"] == "loaded"]
    if len(loaded) == 2:
        ri = loaded[loaded["dataset"] == "restrictive_interventions"]
        return "nil" if int(ri["rows_received"].iloc[0]) == 0 else "loaded"
    return "partial" if len(loaded) else "rejected"


def status_matrix(
    read: Reader, trusts: Sequence[str], months: Sequence[date], today: date, due_day: int
) -> pd.DataFrame:
    """One row per (trust, month) over the given grid: state and data-quality counts."""
    latest = submission_matrix(read)
    latest["month"] = [date(m.year, m.month, 1) for m in pd.to_datetime(latest["reporting_month"])]
    rows = []
    for trust in trusts:
        for month in months:
            cell = latest[(latest["trust_code"] == trust) & (latest["month"] == month)]
            rows.append({
                "trust_code": trust, "reporting_month": f"{month:%Y-%m}",
                "state": cell_state(cell, month, today, due_day),
                "rows_received": int(cell["rows_received"].sum()),
                "rows_loaded": int(cell["rows_loaded"].sum()),
                "rows_quarantined": int(cell["rows_quarantined"].sum()),
                "files_rejected": int((cell["status"] == "rejected").sum()),
                "rejection_rules": sorted(cell["rejection_rule"].dropna().astype(str)),
            })  # fmt: skip
    return pd.DataFrame(rows)
