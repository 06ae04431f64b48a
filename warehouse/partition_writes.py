"""Apply `PartitionLoad`s (one trust-month each) inside an open transaction.

Idempotent: applying the same load twice leaves the same rows. Per outcome:
- loaded: the dataset's facts for (trust, month) are deleted and the new ones inserted with their
  `submission_id`; any other 'loaded' version of the same (trust, month, dataset) becomes
  'superseded'; this submission's quarantine rows are replaced;
- rejected: facts are untouched, so the previous loaded version stays;
- always: the `etl_submission` row is upserted (delete + insert by submission_id).
The caller owns the transaction, so an error anywhere leaves the partition exactly as before.
"""

from __future__ import annotations

from datetime import date
from typing import TypeVar

import numpy as np
import pandas as pd
import pyarrow as pa
import sqlalchemy as sa

from mhsip.failpoints import failpoint
from warehouse import queries
from warehouse.partition_load import PartitionLoad, SubmissionOutcome
from warehouse.schema import (
    FACT_TABLES,
    METADATA,
    etl_mart_pending,
    etl_quarantine,
    etl_submission,
)
from warehouse.session import Session


def apply_partitions(session: Session, loads: list[PartitionLoad]) -> None:
    """Apply several trust-months in the caller's one transaction.

    Every outcome is checked first; then each kind of delete or update runs once per (dataset,
    trust) or once for the whole set (IN lists), and the new rows of all partitions are
    inserted once per table, so a chunk of months costs a few statements, not a few per month.
    Each partition is still all-or-nothing: the whole set commits or none of it does.
    """
    plan = _Plan()
    for load in loads:
        month = load.reporting_month.replace(day=1)
        for outcome in load.outcomes:
            plan.add(load.trust_code, month, outcome)
        plan.pending.setdefault(load.trust_code, {})[month] = None
    for (dataset, trust), replaced in plan.replaced.items():
        name = FACT_TABLES[dataset].name
        for months in _batches(list(replaced)):
            where = queries.placeholders(len(months))
            session.execute(queries.DELETE_FACTS.format(table=name, months=where), [trust, *months])
            keep = [sid for month in months for sid in replaced[month]]
            session.execute(
                queries.SUPERSEDE_OTHERS.format(months=where, keep=queries.placeholders(len(keep))),
                [trust, dataset, *months, *keep],
            )
    for ids in _batches(plan.submission_ids):
        where = queries.placeholders(len(ids))
        session.execute(queries.DELETE_QUARANTINE.format(ids=where), ids)
        session.execute(queries.DELETE_SUBMISSION.format(ids=where), ids)
    for trust, pending in plan.pending.items():
        for months in _batches(list(pending)):
            where = queries.placeholders(len(months))
            session.execute(queries.DELETE_PENDING_MARTS.format(months=where), [trust, *months])
    for table, frame in plan.frames():
        session.insert_frame(table, frame)
    failpoint("inside_warehouse_transaction")  # crash tests: everything written, not committed


T = TypeVar("T")
IN_LIST_MAX = 1000  # values per IN list: far below either engine's parameter limit


def _batches(values: list[T]) -> list[list[T]]:
    return [values[i : i + IN_LIST_MAX] for i in range(0, len(values), IN_LIST_MAX)]


class _Plan:
    """What a set of partitions deletes and inserts, gathered before any statement runs."""

    def __init__(self) -> None:
        # (dataset, trust) -> month -> ids of that month's loaded outcomes (insertion ordered)
        self.replaced: dict[tuple[str, str], dict[date, list[str]]] = {}
        self.facts: dict[str, list[tuple[str, pd.DataFrame]]] = {}  # table -> (id, facts)
        self.quarantine: list[pd.DataFrame] = []
        self.submissions: list[dict[str, object]] = []
        self.submission_ids: list[str] = []
        self.pending: dict[str, dict[date, None]] = {}  # trust -> months (ordered set)

    def add(self, trust: str, month: date, outcome: SubmissionOutcome) -> None:
        if outcome.status == "loaded":
            table = _checked_facts_table(trust, month, outcome)
            self.facts.setdefault(table, []).append((outcome.submission_id, outcome.facts))  # type: ignore[arg-type]
            by_month = self.replaced.setdefault((outcome.dataset, trust), {})
            by_month.setdefault(month, []).append(outcome.submission_id)
        elif outcome.status != "rejected":
            raise ValueError(f"{outcome.submission_id}: status must be loaded or rejected")
        if outcome.quarantine is not None and len(outcome.quarantine):
            self.quarantine.append(_quarantine_rows(outcome))
        self.submission_ids.append(outcome.submission_id)
        self.submissions.append(submission_record(trust, month, outcome))

    def frames(self) -> list[tuple[sa.Table, pd.DataFrame]]:
        """Rows to insert, per table, in the order the partitions were given."""
        out = []
        for name, parts in self.facts.items():
            parts = [(sid, f) for sid, f in parts if len(f)]
            if parts:
                frame = pd.concat([f for _, f in parts], ignore_index=True)
                frame["submission_id"] = np.repeat(
                    [sid for sid, _ in parts], [len(f) for _, f in parts]
                )
                out.append((METADATA.tables[name], frame))
        if self.quarantine:
            out.append((etl_quarantine, pd.concat(self.quarantine, ignore_index=True)))
        if self.submissions:
            out.append((etl_submission, pd.DataFrame(self.submissions)))
        pending = [(t, m) for t, months in self.pending.items() for m in months]
        if pending:
            out.append(
                (etl_mart_pending, pd.DataFrame(pending, columns=["trust_code", "reporting_month"]))
            )
        return out


def _checked_facts_table(trust: str, month: date, outcome: SubmissionOutcome) -> str:
    """The fact table of a loaded outcome, once its facts are checked to fill the partition."""
    if outcome.facts is None:
        raise ValueError(f"{outcome.submission_id}: a loaded outcome needs its facts")
    facts = outcome.facts
    if len(facts) != outcome.rows_loaded:
        raise ValueError(
            f"{outcome.submission_id}: rows_loaded is {outcome.rows_loaded}"
            f" but {len(facts)} fact rows were given"
        )
    _check_partition(facts, trust, month, outcome.submission_id)
    return FACT_TABLES[outcome.dataset].name


def _check_partition(facts: pd.DataFrame, trust: str, month: date, submission_id: str) -> None:
    """Every fact row must belong to the partition being replaced, or it would escape it."""
    if not len(facts):
        return
    found = pd.Series(facts["reporting_month"].unique())  # convert the few distinct values
    if isinstance(found.dtype, pd.ArrowDtype) and pa.types.is_date(found.dtype.pyarrow_dtype):
        months = found.tolist()  # datetime.date already (None for a null)
    else:
        months = list(pd.to_datetime(found).dt.date.unique())
    trusts = set(facts["trust_code"].unique())
    if trusts != {trust} or list(months) != [month]:
        raise ValueError(
            f"{submission_id}: facts must all be {trust} {month:%Y-%m};"
            f" got trusts {sorted(trusts)} and months {sorted(str(m) for m in months)}"
        )


def _quarantine_rows(outcome: SubmissionOutcome) -> pd.DataFrame:
    assert outcome.quarantine is not None
    rows = outcome.quarantine[["source_row_number", "rule", "detail"]]
    return rows.assign(submission_id=outcome.submission_id)


def submission_record(trust: str, month: date, o: SubmissionOutcome) -> dict[str, object]:
    """The outcome's etl_submission row, as a dict of column values."""
    return {
        "submission_id": o.submission_id, "trust_code": trust, "reporting_month": month,
        "dataset": o.dataset, "file_name": o.file_name, "file_sha256": o.file_sha256,
        "status": o.status, "rows_received": o.rows_received, "rows_loaded": o.rows_loaded,
        "rows_quarantined": o.rows_quarantined, "rejection_rule": o.rejection_rule,
        "rejection_reason": o.rejection_reason, "warnings": o.warnings_json(),
        "received_at": _utc(o.received_at), "processed_at": _utc(o.processed_at),
        "flow_run_id": o.flow_run_id,
    }  # fmt: skip


def _utc(value: object) -> pd.Timestamp | None:
    if value is None:
        return None
    stamp = pd.Timestamp(value)  # type: ignore[arg-type]
    return stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")
