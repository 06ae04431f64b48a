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

import pandas as pd

from mhsip.failpoints import failpoint
from warehouse import queries
from warehouse.loads import PartitionLoad, SubmissionOutcome
from warehouse.schema import FACT_TABLES, METADATA, etl_quarantine, etl_submission
from warehouse.session import Session


def apply_partition(session: Session, load: PartitionLoad) -> None:
    apply_partitions(session, [load])


def apply_partitions(session: Session, loads: list[PartitionLoad]) -> None:
    """Apply several trust-months in the caller's one transaction.

    Deletes and status updates run per partition; the new rows of all partitions are inserted
    once per table, so a chunk of months costs a few statements, not a few per month. Each
    partition is still all-or-nothing: the whole set commits or none of it does.
    """
    inserts: dict[str, list[pd.DataFrame]] = {}
    for load in loads:
        month = load.reporting_month.replace(day=1)
        for outcome in load.outcomes:
            if outcome.status == "loaded":
                table, facts = _replace_facts(session, load.trust_code, month, outcome)
                inserts.setdefault(table, []).append(facts)
                session.execute(
                    queries.SUPERSEDE_OTHERS,
                    [load.trust_code, month, outcome.dataset, outcome.submission_id],
                )
            elif outcome.status != "rejected":
                raise ValueError(f"{outcome.submission_id}: status must be loaded or rejected")
            session.execute(queries.DELETE_QUARANTINE, [outcome.submission_id])
            if outcome.quarantine is not None and len(outcome.quarantine):
                inserts.setdefault(etl_quarantine.name, []).append(_quarantine_rows(outcome))
            session.execute(queries.DELETE_SUBMISSION, [outcome.submission_id])
            inserts.setdefault(etl_submission.name, []).append(
                submission_row(load.trust_code, month, outcome)
            )
        session.execute(queries.DELETE_PENDING_MARTS, [load.trust_code, month])
        session.execute(queries.INSERT_PENDING_MARTS, [load.trust_code, month])
    for name, frames in inserts.items():
        frames = [f for f in frames if len(f)]
        if frames:
            session.insert_frame(METADATA.tables[name], pd.concat(frames, ignore_index=True))
    failpoint("inside_warehouse_transaction")  # crash tests: everything written, not committed


def _replace_facts(
    session: Session, trust: str, month: date, outcome: SubmissionOutcome
) -> tuple[str, pd.DataFrame]:
    """Delete the partition's facts of this dataset; return the rows to insert in their place."""
    if outcome.facts is None:
        raise ValueError(f"{outcome.submission_id}: a loaded outcome needs its facts")
    facts = outcome.facts
    if len(facts) != outcome.rows_loaded:
        raise ValueError(
            f"{outcome.submission_id}: rows_loaded is {outcome.rows_loaded}"
            f" but {len(facts)} fact rows were given"
        )
    _check_partition(facts, trust, month, outcome.submission_id)
    table = FACT_TABLES[outcome.dataset]
    session.execute(queries.DELETE_FACTS.format(table=table.name), [trust, month])
    return table.name, facts.assign(submission_id=outcome.submission_id)


def _check_partition(facts: pd.DataFrame, trust: str, month: date, submission_id: str) -> None:
    """Every fact row must belong to the partition being replaced, or it would escape it."""
    if not len(facts):
        return
    months = pd.to_datetime(pd.Series(facts["reporting_month"])).dt.date.unique()
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


def submission_row(trust: str, month: date, o: SubmissionOutcome) -> pd.DataFrame:
    row = {
        "submission_id": o.submission_id, "trust_code": trust, "reporting_month": month,
        "dataset": o.dataset, "file_name": o.file_name, "file_sha256": o.file_sha256,
        "status": o.status, "rows_received": o.rows_received, "rows_loaded": o.rows_loaded,
        "rows_quarantined": o.rows_quarantined, "rejection_rule": o.rejection_rule,
        "rejection_reason": o.rejection_reason, "warnings": o.warnings_json(),
        "received_at": _utc(o.received_at), "processed_at": _utc(o.processed_at),
        "flow_run_id": o.flow_run_id,
    }  # fmt: skip
    return pd.DataFrame([row])


def _utc(value: object) -> pd.Timestamp | None:
    if value is None:
        return None
    stamp = pd.Timestamp(value)  # type: ignore[arg-type]
    return stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")
