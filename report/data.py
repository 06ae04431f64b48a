"""Everything the report reads from the warehouse, in one place, through a read-only connection.

The report reads the published copy (design.md §3.5: BI tools never open the live DuckDB file), so
this is the only module that knows the engine; a PostgreSQL source only needs another `open_*`
that fills the same `ReportData`. Nothing here selects `patient_key` or any other identifier:
the facts are not read at all, only dimensions, marts and the `etl_*` audit tables (whose
details already have identifiers removed).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Final

import duckdb
import pandas as pd

TRUSTS_SQL: Final = """
SELECT trust_code, trust_name, region_name FROM dim_trust ORDER BY trust_code"""
TRUST_MONTH_SQL: Final = "SELECT * FROM mart_trust_month ORDER BY trust_code, reporting_month"
EQUITY_SQL: Final = """
SELECT trust_code, reporting_month, dimension, category, category_label, category_order,
       is_reference, interventions, people, occupied_bed_days, completeness
FROM mart_equity_month
WHERE dimension IN ('ethnic_group', 'age_band', 'imd_quintile')"""
SPC_SQL: Final = "SELECT * FROM mart_spc ORDER BY trust_code, measure, reporting_month"
SUBMISSIONS_SQL: Final = """
SELECT submission_id, trust_code, reporting_month, dataset, file_name, status, rows_received,
       rows_loaded, rows_quarantined, rejection_rule, rejection_reason, warnings, received_at,
       processed_at
FROM etl_submission ORDER BY trust_code, reporting_month, dataset, received_at"""
# Per (submission, rule): the count and the first ten rows with their details.
QUARANTINE_SQL: Final = """
SELECT submission_id, rule, source_row_number, detail, rows_for_rule
FROM (
  SELECT submission_id, rule, source_row_number, detail,
         ROW_NUMBER() OVER (PARTITION BY submission_id, rule
                            ORDER BY source_row_number, detail) AS example_number,
         COUNT(*) OVER (PARTITION BY submission_id, rule) AS rows_for_rule
  FROM etl_quarantine
) q
WHERE example_number <= 10
ORDER BY submission_id, rule, source_row_number"""


@dataclass(frozen=True)
class ReportData:
    """The warehouse tables the report draws, as read (unsuppressed; see report.published)."""

    trusts: pd.DataFrame  # dim_trust: trust_code, trust_name, region_name
    trust_month: pd.DataFrame  # mart_trust_month
    equity: pd.DataFrame  # mart_equity_month counts for the three charted dimensions
    spc: pd.DataFrame  # mart_spc
    submissions: pd.DataFrame  # etl_submission, every received version
    quarantine: pd.DataFrame  # up to ten example rows per (submission, rule), with the count


def read_duckdb(path: Path) -> ReportData:
    """Read a DuckDB warehouse file (the published copy) read-only."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        con.execute("SET TimeZone = 'UTC'")

        def read(sql: str) -> pd.DataFrame:
            return con.execute(sql).df()

        return ReportData(
            trusts=read(TRUSTS_SQL),
            trust_month=read(TRUST_MONTH_SQL),
            equity=read(EQUITY_SQL),
            spc=read(SPC_SQL),
            submissions=read(SUBMISSIONS_SQL),
            quarantine=read(QUARANTINE_SQL),
        )
    finally:
        con.close()
