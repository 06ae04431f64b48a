"""`mart_data_quality` and `mart_data_quality_score`: NHS Digital's DQMI per trust, month and
dataset, from the loaded file of each trust-month (transforms.dqmi; docs/domain.md §7.1).

Records are the rows received in the loaded file; quarantined rows count as neither valid nor
complete for any item. An item is valid and complete on a loaded row when its standardised
value is a national code (defaults included), and a default when it is a "not stated / not
known" code. Coverage is 1 for a month with a loaded file (data expected and submitted); a
month with none has no score. The default thresholds are the collaborative's choice, not NHS
Digital's published ones (which are per MHSDS core field and not reproduced here).
"""

from __future__ import annotations

from datetime import date
from typing import Final

import pandas as pd

from transforms.codes import ETHNIC_CATEGORIES, ETHNICITY_NOT_STATED_OR_KNOWN, INTERVENTION_REASONS
from transforms.dqmi import ItemCounts, defaults_in_excess, dqmi, item_score
from warehouse import queries
from warehouse.marts.passes import delete_trust_months, month_passes
from warehouse.reads import month_start
from warehouse.schema import mart_data_quality, mart_data_quality_score
from warehouse.session import Session

# data item -> (fact column, valid codes or None for "any non-missing", default codes, threshold)
Item = tuple[str, frozenset[str] | None, frozenset[str], float | None]
_PERSON: Final[dict[str, Item]] = {
    "ethnic_category": ("ethnic_category_code", frozenset(ETHNIC_CATEGORIES),
                        ETHNICITY_NOT_STATED_OR_KNOWN, 0.10),
    "gender": ("gender_code", frozenset({"1", "2", "3", "4", "9", "X"}), frozenset({"X"}), 0.05),
    "date_of_birth": ("age_years", None, frozenset(), None),
    "lsoa": ("lsoa", None, frozenset(), None),
    "ward_code": ("ward_code", None, frozenset(), None),
    "patient_identifier": ("identified", frozenset({"True"}), frozenset(), None),
}  # fmt: skip
ITEMS: Final[dict[str, dict[str, Item]]] = {
    "restrictive_interventions": _PERSON
    | {
        "reason": ("reason_code", frozenset(INTERVENTION_REASONS), frozenset({"99"}), 0.05),
    },
    "ward_stays": dict(_PERSON),
}
FACTS: Final = {"restrictive_interventions": "fct_restrictive_intervention",
                "ward_stays": "fct_ward_stay_month"}  # fmt: skip
_SELECT = """
SELECT trust_code, reporting_month, submission_id, ethnic_category_code, gender_code, age_years,
       lsoa, ward_code, patient_key IS NOT NULL AS identified{extra}
FROM {table} WHERE reporting_month IN ({months})"""
_LOADED = """
SELECT trust_code, reporting_month, dataset, submission_id, rows_received
FROM etl_submission WHERE status = 'loaded' AND reporting_month IN ({months})"""


def item_counts(
    facts: pd.DataFrame, items: dict[str, Item]
) -> dict[tuple[object, str], tuple[int, int]]:
    """(submission, item) -> (valid and complete, defaults) over the rows `facts` holds of each
    submission: counted column by column over every file at once, not file by file."""
    counts: dict[tuple[object, str], tuple[int, int]] = {}
    submission = facts["submission_id"]
    for name, (column, valid, defaults, _) in items.items():
        values = facts[column]
        text = values[values.notna()].astype(str)
        ok = text if valid is None else text[text.isin(valid)]
        ok_by = ok.groupby(submission.loc[ok.index], sort=False).size()
        is_default = ok.isin(defaults)
        default_by = ok[is_default].groupby(submission.loc[ok.index[is_default]], sort=False).size()
        for sid, n in ok_by.items():
            counts[(sid, name)] = (int(n), int(default_by.get(sid, 0)))
    return counts


def item_rows(loaded: pd.DataFrame, facts: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """One row per (loaded file, data item): the DQMI inputs and the item score (percent)."""
    rows = []
    counted = {d: item_counts(f, ITEMS[d]) for d, f in facts.items()}
    for sub in loaded.itertuples(index=False):
        dataset = str(sub.dataset)
        for name, (_, _, _, threshold) in ITEMS[dataset].items():
            ok, defaults = counted[dataset].get((str(sub.submission_id), name), (0, 0))
            counts = ItemCounts(int(str(sub.rows_received)), ok, defaults, threshold)
            score = item_score(counts)
            rows.append({
                "trust_code": sub.trust_code, "reporting_month": month_start(sub.reporting_month),
                "dataset": dataset, "data_item": name, "records": counts.records,
                "valid_and_complete": counts.valid_and_complete, "defaults": counts.defaults,
                "default_threshold": threshold, "defaults_in_excess": defaults_in_excess(counts),
                "item_score": None if score is None else score * 100, "coverage": 1.0,
            })  # fmt: skip
    return pd.DataFrame(rows, columns=ITEM_COLUMNS)


ITEM_COLUMNS: Final = ["trust_code", "reporting_month", "dataset", "data_item", "records",
                       "valid_and_complete", "defaults", "default_threshold",
                       "defaults_in_excess", "item_score", "coverage"]  # fmt: skip


def score_rows(items: pd.DataFrame) -> pd.DataFrame:
    """One row per (trust, month, dataset): DQMI = mean item score x mean coverage x 100."""
    rows = []
    for (trust, month, dataset), group in items.groupby(
        ["trust_code", "reporting_month", "dataset"], sort=True
    ):
        shares = [None if pd.isna(s) else s / 100 for s in group["item_score"]]
        scored = [s for s in shares if s is not None]
        rows.append({
            "trust_code": trust, "reporting_month": month, "dataset": dataset,
            "data_items": len(scored),
            "mean_item_score": sum(scored) / len(scored) * 100 if scored else None,
            "coverage": float(group["coverage"].mean()),
            "dqmi": dqmi(shares, list(group["coverage"])),
        })  # fmt: skip
    return pd.DataFrame(rows, columns=["trust_code", "reporting_month", "dataset", "data_items",
                                       "mean_item_score", "coverage", "dqmi"])  # fmt: skip


def refresh_data_quality(session: Session, touched: set[tuple[str, date]] | None) -> None:
    """Replace the data-quality rows of the touched trust-months (all months when None)."""
    if touched is None:
        found = session.query(queries.FACT_MONTHS)["reporting_month"]
        months = sorted({month_start(m) for m in found})
        for table in (mart_data_quality, mart_data_quality_score):
            session.execute(f"DELETE FROM {table.name}")
    else:
        months = sorted({m for _, m in touched})
        for table in (mart_data_quality, mart_data_quality_score):
            delete_trust_months(session, table, touched)
    for group in month_passes(session, months):  # memory bounded by a pass, as the other marts
        _refresh_months(session, group, touched)


def _refresh_months(
    session: Session, months: list[date], touched: set[tuple[str, date]] | None
) -> None:
    where = queries.placeholders(len(months))
    loaded = session.query(_LOADED.format(months=where), months)
    if touched is not None:
        keys = zip(loaded["trust_code"], map(month_start, loaded["reporting_month"]), strict=True)
        loaded = loaded[[key in touched for key in keys]]
    if loaded.empty:
        return
    facts = {
        dataset: session.query(_SELECT.format(
            table=table, months=where,
            extra=", reason_code" if dataset == "restrictive_interventions" else "",
        ), months)
        for dataset, table in FACTS.items()
    }  # fmt: skip
    items = item_rows(loaded, facts)
    session.insert_frame(mart_data_quality, items)
    session.insert_frame(mart_data_quality_score, score_rows(items))
