"""Reads the flows and the CLI need, written once over an engine's `Reader`.

All read `etl_submission` (one row per received file version); none returns patient data.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from typing import Any, Final

import pandas as pd

from warehouse import queries
from warehouse.schema import FACT_TABLES, METADATA

Reader = Callable[[str, Sequence[object]], pd.DataFrame]
HISTORY_MONTHS: Final = 6  # EXTRACT_SPEC: row counts are judged against the last six months


def month_start(value: object) -> date:
    stamp = pd.Timestamp(value)  # type: ignore[arg-type]
    return date(stamp.year, stamp.month, 1)


def latest_submissions(read: Reader) -> pd.DataFrame:
    """Most recent received version per (trust_code, reporting_month, dataset)."""
    return read(queries.LATEST_SUBMISSIONS.format(where=""), [])


def submission_matrix(read: Reader, months: list[date] | None = None) -> pd.DataFrame:
    """Status of the latest received version per trust, month and dataset (the `status` view).

    A rejected resubmission shows as rejected even though the earlier loaded version still
    serves the facts: the operator needs to see the rejection.
    """
    where, params = "", []
    if months:
        where = f"WHERE reporting_month IN ({queries.placeholders(len(months))})"
        params = [month_start(m) for m in months]
    frame = read(queries.LATEST_SUBMISSIONS.format(where=where), params)
    return frame[
        ["trust_code", "reporting_month", "dataset", "status", "rows_received", "rows_loaded",
         "rows_quarantined", "rejection_rule"]
    ].reset_index(drop=True)  # fmt: skip


def archived_submissions(
    read: Reader, trusts: Sequence[str] | None, from_month: date, to_month: date
) -> pd.DataFrame:
    """Latest received file per trust-month-dataset in the range: what a backfill reprocesses."""
    clauses = ["reporting_month >= ?", "reporting_month <= ?"]
    params: list[object] = [month_start(from_month), month_start(to_month)]
    if trusts:
        clauses.append(f"trust_code IN ({queries.placeholders(len(trusts))})")
        params += list(trusts)
    frame = read(queries.LATEST_SUBMISSIONS.format(where="WHERE " + " AND ".join(clauses)), params)
    return frame[
        ["trust_code", "reporting_month", "dataset", "submission_id", "file_name", "file_sha256",
         "received_at"]
    ].reset_index(drop=True)  # fmt: skip


def file_history(read: Reader, trust_code: str, dataset: str, reporting_month: date) -> Any:
    """What the file-level rules compare a new file with (expectations.file_rules.FileHistory).

    recent_row_counts: rows_received of this trust+dataset's loaded versions in the last six
    loaded months before this one, oldest first (rows received, so a new file's row count is
    compared like with like); months_with_history: how many earlier months have a loaded version
    of this dataset; loaded_hashes_other_months: SHA-256 of the trust's files that were loaded
    (now loaded or superseded) for any other month; recent_intervention_counts: rows_loaded of
    the trust's loaded interventions files in their last six loaded months, oldest first.
    """
    month = month_start(reporting_month)
    earlier = read(queries.LOADED_BEFORE, [trust_code, month])
    all_same = earlier[earlier["dataset"] == dataset]
    same = all_same.tail(HISTORY_MONTHS)
    interventions = earlier[earlier["dataset"] == "restrictive_interventions"].tail(HISTORY_MONTHS)
    hashes = read(queries.HASHES_OTHER_MONTHS, [trust_code, month])["file_sha256"].dropna()
    recent_row_counts = [int(n) for n in same["rows_received"].tolist()]
    months_with_history = int(all_same["reporting_month"].nunique())
    loaded_hashes = {str(h) for h in hashes.tolist()}
    intervention_counts = [int(n) for n in interventions["rows_loaded"].tolist()]
    try:
        from expectations.file_rules import FileHistory
    except ImportError:  # the file rules module is being written in parallel
        return {
            "recent_row_counts": recent_row_counts, "months_with_history": months_with_history,
            "loaded_hashes_other_months": loaded_hashes,
            "recent_intervention_counts": intervention_counts,
        }  # fmt: skip
    return FileHistory(
        recent_row_counts=recent_row_counts, months_with_history=months_with_history,
        loaded_hashes_other_months=loaded_hashes, recent_intervention_counts=intervention_counts,
    )  # fmt: skip


def table_counts(read: Reader) -> dict[str, int]:
    """Row count of every warehouse table, by name."""
    names = sorted(METADATA.tables)
    sql = " UNION ALL ".join(f"SELECT '{n}' AS name, COUNT(*) AS n FROM {n}" for n in names)
    frame = read(sql, [])
    return dict(zip(frame["name"].astype(str), (int(n) for n in frame["n"].tolist()), strict=True))


def unreconciled_submissions(read: Reader) -> pd.DataFrame:
    """Submissions breaking DESIGN 3.5's reconciliation: received = loaded + quarantined (or a
    rejected file with nothing loaded and a rule), and loaded rows actually present in the facts.
    """
    frames = [read(queries.UNRECONCILED, [])]
    for dataset, table in FACT_TABLES.items():
        frames.append(read(queries.FACT_COUNT_MISMATCH.format(table=table.name), [dataset]))
    return pd.concat([f for f in frames if len(f)] or frames[:1], ignore_index=True)
