"""Rebuild dimensions and marts inside one transaction, engine-neutrally.

Marts are recomputed from each month's facts, read in passes of a few months
(`warehouse.marts.passes`: memory bounded by a pass's rows, not the history). A partial refresh
replaces the touched trust-months and the `ALL` rows of the touched months; because every row
is a function of its month's facts only, it gives exactly what a full rebuild gives.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from datetime import date

import numpy as np
import pandas as pd

from transforms.trust_config import Registry
from warehouse import queries
from warehouse.marts import dimensions, resubmission
from warehouse.marts.data_quality import refresh_data_quality
from warehouse.marts.equity_month import build_equity_month
from warehouse.marts.funnel_mart import refresh_funnel
from warehouse.marts.passes import delete_trust_months, month_passes
from warehouse.marts.spc_mart import refresh_spc
from warehouse.marts.trust_month import build_trust_month
from warehouse.marts.ward_month import build_ward_month
from warehouse.reads import month_start
from warehouse.schema import (
    ALL_TRUSTS,
    MART_TABLES,
    dim_change,
    dim_collaborative,
    dim_ethnicity,
    dim_intervention_type,
    dim_month,
    dim_trust,
    dim_ward,
    etl_mart_pending,
)
from warehouse.session import Session


def refresh_dimensions(session: Session, registry: Registry) -> None:
    """Replace every dimension whole: they are small and fully derived."""
    months = session.query(queries.ALL_MONTHS)["reporting_month"]
    frames = {
        dim_trust: dimensions.trust_rows(registry),
        dim_collaborative: dimensions.collaborative_rows(registry),
        dim_intervention_type: dimensions.intervention_type_rows(),
        dim_ethnicity: dimensions.ethnicity_rows(),
        dim_month: dimensions.month_rows(month_start(m) for m in months),
        dim_ward: dimensions.ward_rows(session.query(queries.WARD_ROWS)),
        dim_change: dimensions.change_rows(registry),
    }
    for table, frame in frames.items():
        session.execute(f"DELETE FROM {table.name}")
        session.insert_frame(table, frame)


# One pass's facts: interventions, stays, submissions, and the collaborative's size.
PassFacts = tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, int | None]
PassMarts = tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]
# `map`, or a map that runs the builds elsewhere (`flows.compute_pool.ComputePool.imap`): it
# must give the results in order and draw the passes in the calling thread.
Mapper = Callable[[Callable[[PassFacts], PassMarts], Iterable[PassFacts]], Iterable[PassMarts]]


def build_pass(facts: PassFacts) -> PassMarts:
    """The trust, equity and ward marts of one pass's facts (pure: may run in a worker)."""
    interventions, stays, submissions, expected = facts
    return (
        build_trust_month(interventions, stays, submissions, expected),
        build_equity_month(interventions, stays, submissions),
        build_ward_month(interventions, stays, submissions),
    )


def refresh_marts(
    session: Session, partitions: Iterable[tuple[str, date]] | None, mapper: Mapper = map
) -> None:
    """Recompute marts for the given (trust, month) partitions, or all of them when None.

    Each pass's facts are read here and its marts built by `mapper` (in worker processes when
    a run has them, while this reads the next pass and inserts the last), then inserted here.
    """
    touched = None if partitions is None else {(t, month_start(m)) for t, m in partitions}
    before = resubmission.before_refresh(session, touched)
    if touched is None:
        found = session.query(queries.ALL_MONTHS)["reporting_month"]
        months = sorted(month_start(m) for m in found)
        for table in MART_TABLES:
            session.execute(f"DELETE FROM {table.name}")
    else:
        months = sorted({month for _, month in touched})
        keys = touched | {(ALL_TRUSTS, month) for month in months}
        for table in MART_TABLES:
            delete_trust_months(session, table, keys)
    expected = int(session.query(queries.TRUSTS_EXPECTED)["trusts"].iloc[0]) or None

    def passes() -> Iterator[PassFacts]:
        for group in month_passes(session, months):
            where = f"reporting_month IN ({queries.placeholders(len(group))})"
            interventions = session.query(queries.MART_INTERVENTIONS.format(where=where), group)
            stays = session.query(queries.MART_STAYS.format(where=where), group)
            submissions = session.query(queries.MART_SUBMISSIONS.format(where=where), group)
            if len(interventions) or len(stays) or len(submissions):
                yield interventions, stays, submissions, expected

    for built in mapper(build_pass, passes()):
        for table, frame in zip(MART_TABLES, built, strict=True):
            session.insert_frame(table, _keep(frame, touched))
    refresh_spc(session, None if touched is None else {trust for trust, _ in touched})
    refresh_funnel(session)  # whole: its periods move with the latest complete month
    resubmission.after_refresh(session, touched, before)
    refresh_data_quality(session, touched)
    if touched is None:
        session.execute("DELETE FROM etl_mart_pending")
    else:
        delete_trust_months(session, etl_mart_pending, touched)


def _keep(frame: pd.DataFrame, touched: set[tuple[str, date]] | None) -> pd.DataFrame:
    if touched is None:
        return frame
    keys = zip(frame["trust_code"], (month_start(m) for m in frame["reporting_month"]), strict=True)
    mask = [trust == ALL_TRUSTS or (trust, month) in touched for trust, month in keys]
    return frame[np.array(mask, dtype=bool)]  # a plain empty list would select no columns
