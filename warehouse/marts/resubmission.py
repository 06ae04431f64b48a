"""`etl_resubmission_change`: what loading a new file for a month already loaded changed in the
published measures of `mart_trust_month` (every numeric column: counts, people, bed days, rates).

Around each mart refresh: `before_refresh` keeps the touched trust-months' mart rows and the
loaded files they were computed from (`etl_mart_source`); `after_refresh` compares them with the
new rows. A change is recorded only when the files behind the month differ, so a backfill that
recomputes a month from the same files records nothing, whatever the recomputation gives.
Runs inside the refresh's transaction: a killed refresh records nothing and is redone whole.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, date, datetime

import pandas as pd

from warehouse.reads import month_start
from warehouse.schema import ALL_TRUSTS, etl_mart_source, etl_resubmission_change
from warehouse.session import Session

Key = tuple[str, date]
_LOADED_IDS = "SELECT trust_code, reporting_month, submission_id FROM etl_submission WHERE" \
              " status = 'loaded'"  # fmt: skip


@dataclass
class Before:
    values: dict[Key, dict[str, float | None]]
    sources: dict[Key, str]


def _keyed(frame: pd.DataFrame, touched: set[Key] | None) -> dict[Key, pd.Series]:
    out = {}
    for _, row in frame.iterrows():
        key = (str(row["trust_code"]), month_start(row["reporting_month"]))
        if key[0] != ALL_TRUSTS and (touched is None or key in touched):
            out[key] = row
    return out


def _measures(row: pd.Series) -> dict[str, float | None]:
    values: dict[str, float | None] = {}
    for name, value in row.items():
        if name in ("trust_code", "reporting_month") or isinstance(value, str | bool):
            continue
        try:
            number = float(value)
        except (TypeError, ValueError):
            continue
        values[str(name)] = None if math.isnan(number) else number
    return values


def _loaded_ids(session: Session, touched: set[Key] | None) -> dict[Key, str]:
    frame = session.query(_LOADED_IDS)
    ids: dict[Key, list[str]] = {}
    for sid, trust, month in zip(frame["submission_id"], frame["trust_code"],
                                 frame["reporting_month"], strict=True):  # fmt: skip
        key = (str(trust), month_start(month))
        if touched is None or key in touched:
            ids.setdefault(key, []).append(str(sid))
    return {key: ",".join(sorted(v)) for key, v in ids.items()}


def before_refresh(session: Session, touched: set[Key] | None) -> Before:
    marts = _keyed(session.query("SELECT * FROM mart_trust_month"), touched)
    recorded = _keyed(session.query("SELECT * FROM etl_mart_source"), touched)
    return Before(
        values={key: _measures(row) for key, row in marts.items()},
        sources={key: str(row["submission_ids"]) for key, row in recorded.items()},
    )


def _differs(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return (a is None) != (b is None)
    return not math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)


def after_refresh(session: Session, touched: set[Key] | None, before: Before) -> int:
    """Record the changed measures of resubmitted months; returns how many rows were written."""
    now = datetime.now(UTC)
    after = _keyed(session.query("SELECT * FROM mart_trust_month"), touched)
    sources = _loaded_ids(session, touched)
    rows = []
    for key, ids in sorted(sources.items()):
        old_ids = before.sources.get(key)
        if old_ids is None or old_ids == ids:
            continue  # first load, or the same files recomputed
        old = before.values.get(key, {})
        new = _measures(after[key]) if key in after else {}
        for measure in sorted(set(old) | set(new)):
            if _differs(old.get(measure), new.get(measure)):
                rows.append({
                    "trust_code": key[0], "reporting_month": key[1], "measure": measure,
                    "value_before": old.get(measure), "value_after": new.get(measure),
                    "submissions_before": old_ids, "submissions_after": ids, "changed_at": now,
                })  # fmt: skip
    if rows:
        session.insert_frame(etl_resubmission_change, pd.DataFrame(rows))
    _record_sources(session, touched, sources)
    return len(rows)


def _record_sources(session: Session, touched: set[Key] | None, sources: dict[Key, str]) -> None:
    if touched is None:
        session.execute("DELETE FROM etl_mart_source")
    else:
        for trust, month in sorted(touched):
            session.execute("DELETE FROM etl_mart_source WHERE trust_code = ? AND"
                            " reporting_month = ?", [trust, month])  # fmt: skip
    frame = pd.DataFrame(
        [{"trust_code": t, "reporting_month": m, "submission_ids": ids}
         for (t, m), ids in sorted(sources.items())],
        columns=["trust_code", "reporting_month", "submission_ids"],
    )  # fmt: skip
    session.insert_frame(etl_mart_source, frame)
