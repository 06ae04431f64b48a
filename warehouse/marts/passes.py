"""The months a mart refresh reads together: memory bounded by rows, not by the calendar.

A refresh reads its months' facts in passes. A pass is consecutive months, at most
`MONTHS_PER_PASS` of them and at most `ROWS_PER_PASS` fact rows (both fact tables), except that
a month larger than that is a pass alone. At the collaborative's size today a year of facts is
about 80,000 rows, so a pass is a year; at ten or fifty times the rows a pass is a few months or
one, and the refresh's memory stays that of a pass. Every mart row is a function of its month's
facts only, so how the months are grouped never changes a row.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Final

import sqlalchemy as sa

from mhsip.grouping import consecutive_groups
from warehouse import queries
from warehouse.reads import month_start
from warehouse.session import Session

MONTHS_PER_PASS: Final = 12
ROWS_PER_PASS: Final = 250_000


def month_passes(session: Session, months: list[date]) -> list[list[date]]:
    """`months` (sorted) in passes, from the fact rows each month holds."""
    if not months:
        return []
    found = session.query(queries.MONTH_FACT_ROWS.format(
        months=queries.placeholders(len(months))), [*months, *months])  # fmt: skip
    rows = {
        month_start(m): int(n)
        for m, n in zip(found["reporting_month"], found["fact_rows"], strict=True)
    }
    return group_months(months, rows, MONTHS_PER_PASS, ROWS_PER_PASS)  # read now: tests vary them


def group_months(
    months: list[date], rows: Mapping[date, int], max_months: int = MONTHS_PER_PASS,
    max_rows: int = ROWS_PER_PASS,
) -> list[list[date]]:  # fmt: skip
    """Consecutive groups of `months` of at most `max_months` months and `max_rows` rows (a
    month over `max_rows` alone); a month missing from `rows` holds none."""
    return consecutive_groups(months, [rows.get(m, 0) for m in months], max_rows, max_months)


def delete_trust_months(
    session: Session, table: sa.Table, keys: Iterable[tuple[str, date]]
) -> None:
    """Delete the schema `table`'s rows of the given (trust, month)s: one statement a trust,
    not a month (a trust's history is far under an IN list's limit)."""
    by_trust: dict[str, list[date]] = {}
    for trust, month in sorted(set(keys)):
        by_trust.setdefault(trust, []).append(month)
    for trust, months in by_trust.items():
        session.execute(
            f"DELETE FROM {table.name} WHERE trust_code = ? AND reporting_month IN"
            f" ({queries.placeholders(len(months))})",
            [trust, *months],
        )
