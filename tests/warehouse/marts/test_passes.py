"""Months grouped into mart passes: at most a year, at most the row budget, a big month alone."""

from __future__ import annotations

from datetime import date

from warehouse.marts.passes import group_months

MONTHS = [date(2024, m, 1) for m in range(1, 13)] + [date(2025, m, 1) for m in range(1, 4)]


def test_a_small_collaborative_reads_a_year_a_pass() -> None:
    rows = dict.fromkeys(MONTHS, 7_000)
    assert group_months(MONTHS, rows, 12, 250_000) == [MONTHS[:12], MONTHS[12:]]


def test_a_large_one_reads_as_many_months_as_the_row_budget_holds() -> None:
    rows = dict.fromkeys(MONTHS, 70_000)  # ten times the rows: three months a pass
    passes = group_months(MONTHS, rows, 12, 250_000)
    assert [len(p) for p in passes] == [3, 3, 3, 3, 3]
    assert [m for p in passes for m in p] == MONTHS  # every month once, in order


def test_a_month_over_the_budget_is_a_pass_alone_and_an_empty_month_costs_nothing() -> None:
    rows = {MONTHS[0]: 10, MONTHS[1]: 900_000, MONTHS[2]: 10}  # MONTHS[3] has no facts
    assert group_months(MONTHS[:4], rows, 12, 250_000) == [
        [MONTHS[0]],
        [MONTHS[1]],
        [MONTHS[2], MONTHS[3]],
    ]
    assert group_months([], rows, 12, 250_000) == []
