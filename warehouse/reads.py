"""Reads the flows and the CLI need, written once over an engine's `Reader`.

All read `etl_submission` (one row per received file version); none returns patient data.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from typing import TYPE_CHECKING, Final

import pandas as pd

from expectations.trust_history import TrustHistory
from warehouse import queries
from warehouse.schema import FACT_TABLES, METADATA

if TYPE_CHECKING:
    from warehouse.store import Warehouse

Reader = Callable[[str, Sequence[object]], pd.DataFrame]
HISTORY_MONTHS: Final = 6  # design.md §8.3: row counts are judged against the last six months


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


def table_counts(read: Reader) -> dict[str, int]:
    """Row count of every warehouse table, by name."""
    names = sorted(METADATA.tables)
    sql = " UNION ALL ".join(f"SELECT '{n}' AS name, COUNT(*) AS n FROM {n}" for n in names)
    frame = read(sql, [])
    return dict(zip(frame["name"].astype(str), (int(n) for n in frame["n"].tolist()), strict=True))


def unreconciled_submissions(read: Reader) -> pd.DataFrame:
    """Submissions breaking design.md §3.5's reconciliation: received = loaded + quarantined (or a
    rejected file with nothing loaded and a rule), and loaded rows actually present in the facts.
    """
    frames = [read(queries.UNRECONCILED, [])]
    for dataset, table in FACT_TABLES.items():
        frames.append(read(queries.FACT_COUNT_MISMATCH.format(table=table.name), [dataset]))
    return pd.concat([f for f in frames if len(f)] or frames[:1], ignore_index=True)


LOADED_VERSIONS = """
SELECT reporting_month, dataset, file_sha256, status, rows_received
FROM etl_submission
WHERE trust_code = ? AND status IN ('loaded', 'superseded')
ORDER BY reporting_month, dataset"""


def trust_history(warehouse: Warehouse, trust_code: str) -> TrustHistory:
    """A trust's loading history from etl_submission, for the file rules that compare a file
    with the trust's earlier months (`expectations.trust_history`)."""
    return trust_history_from(warehouse.query, trust_code)


def trust_history_from(read: Reader, trust_code: str) -> TrustHistory:
    """`trust_history` over any reader (the read-only connection of `mhsip check`)."""
    history = TrustHistory(trust_code)
    for row in read(LOADED_VERSIONS, [trust_code]).itertuples(index=False):
        month = pd.Timestamp(str(row.reporting_month)).date().replace(day=1)
        history.hashes.setdefault(month, set()).add(str(row.file_sha256))
        if row.status == "loaded":
            history.record_loaded(
                month, str(row.dataset), str(row.file_sha256), int(str(row.rows_received))
            )  # fmt: skip
    return history
