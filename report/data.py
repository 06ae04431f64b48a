"""Everything the report reads from the warehouse, in one place, through a read-only connection.

The report reads the configured warehouse through `warehouse.read_only`: on PostgreSQL the
database itself (a read-only session); on DuckDB the operators' full copy that each run publishes
(design.md §3.5: nobody opens the live DuckDB file, and the BI copy has no `etl_*` tables, which
the feedback pages need). The SQL is the same on both engines. Nothing here selects
`patient_key` or any other identifier: the facts are not read at all, only dimensions, marts and
the `etl_*` audit tables (whose details already have identifiers removed).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

import pandas as pd

from warehouse.read_only import read_only
from warehouse.reads import Reader

TRUSTS_SQL: Final = """
SELECT trust_code, trust_name, region_name FROM dim_trust ORDER BY trust_code"""
TRUST_MONTH_SQL: Final = "SELECT * FROM mart_trust_month ORDER BY trust_code, reporting_month"
EQUITY_SQL: Final = """
SELECT trust_code, reporting_month, dimension, category, category_label, category_order,
       is_reference, interventions, people, occupied_bed_days, completeness
FROM mart_equity_month
WHERE dimension IN ('ethnic_group', 'age_band', 'imd_quintile')"""
SPC_SQL: Final = "SELECT * FROM mart_spc ORDER BY trust_code, ward_code, measure, reporting_month"
WARDS_SQL: Final = "SELECT * FROM mart_ward_month ORDER BY trust_code, ward_code, reporting_month"
ANNOTATIONS_SQL: Final = "SELECT * FROM dim_change ORDER BY trust_code, ward_code, from_month"
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

QUALITY_SCORES_SQL: Final = """
SELECT * FROM mart_data_quality_score ORDER BY trust_code, dataset, reporting_month"""
QUALITY_ITEMS_SQL: Final = """
SELECT * FROM mart_data_quality ORDER BY trust_code, reporting_month, dataset, data_item"""
FUNNEL_SQL: Final = """
SELECT * FROM mart_funnel ORDER BY period_end DESC, period, level, trust_code, ward_code, measure"""
CHANGES_SQL: Final = """
SELECT trust_code, reporting_month, measure, value_before, value_after, submissions_before,
       submissions_after, changed_at
FROM etl_resubmission_change ORDER BY trust_code, reporting_month, changed_at, measure"""


@dataclass(frozen=True)
class ReportData:
    """The warehouse tables the report draws, as read (unsuppressed; see report.published)."""

    trusts: pd.DataFrame  # dim_trust: trust_code, trust_name, region_name
    trust_month: pd.DataFrame  # mart_trust_month
    equity: pd.DataFrame  # mart_equity_month counts for the three charted dimensions
    spc: pd.DataFrame  # mart_spc
    submissions: pd.DataFrame  # etl_submission, every received version
    quarantine: pd.DataFrame  # up to ten example rows per (submission, rule), with the count
    # issue 16: DQMI and resubmission changes (empty when the warehouse predates them)
    quality_scores: pd.DataFrame = field(default_factory=pd.DataFrame)  # mart_data_quality_score
    quality_items: pd.DataFrame = field(default_factory=pd.DataFrame)  # mart_data_quality
    changes: pd.DataFrame = field(default_factory=pd.DataFrame)  # etl_resubmission_change
    # issue 14: ward months and the trusts' declared changes (chart markers)
    wards: pd.DataFrame = field(default_factory=pd.DataFrame)  # mart_ward_month
    annotations: pd.DataFrame = field(default_factory=pd.DataFrame)  # dim_change
    funnel: pd.DataFrame = field(default_factory=pd.DataFrame)  # mart_funnel (issue 14)


def read_report_data(read: Reader) -> ReportData:
    """The report's tables through any engine's `Reader`."""

    def frame(sql: str) -> pd.DataFrame:
        return read(sql, [])

    return ReportData(
        trusts=frame(TRUSTS_SQL),
        trust_month=frame(TRUST_MONTH_SQL),
        equity=frame(EQUITY_SQL),
        spc=frame(SPC_SQL),
        submissions=frame(SUBMISSIONS_SQL),
        quarantine=frame(QUARANTINE_SQL),
        quality_scores=frame(QUALITY_SCORES_SQL),
        quality_items=frame(QUALITY_ITEMS_SQL),
        changes=frame(CHANGES_SQL),
        wards=frame(WARDS_SQL),
        annotations=frame(ANNOTATIONS_SQL),
        funnel=frame(FUNNEL_SQL),
    )


def read_warehouse(source: str | Path) -> ReportData:
    """Read a PostgreSQL warehouse (its URL) or a DuckDB file (the operators' full copy)."""
    with read_only(source) as read:
        return read_report_data(read)


def read_duckdb(path: Path) -> ReportData:
    """Read a DuckDB warehouse file (the operators' full copy) read-only."""
    return read_warehouse(Path(path))
