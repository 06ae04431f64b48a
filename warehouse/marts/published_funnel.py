"""`pub_funnel`'s columns: mart_funnel with the rate rules of domain.md §3.3 (a).

A funnel row is a rate over a period, so it is published as a rate is: `value` NULL when the
numerator is under 5, its people (the largest month's, a lower bound of the period's distinct
people) are under 5 or the bed days under 100, otherwise a whole number. The limits, the target
and the outlier flag follow the row's value (an `outlier` beside a hidden rate would say which
side of a limit it lies); the numerator is a count (NULL under 5, else to the nearest 5); bed
days and people are not published.
"""

from __future__ import annotations

from typing import Final

from transforms.suppression import suppress_count_sql, suppress_rate_sql

COUNT_NOTE: Final = "published: NULL under 5, else to the nearest 5"
RATE_NOTE: Final = "published: NULL when the row's rate is suppressed (domain.md §3.3), else whole"

DESCRIPTION: Final = (
    "One row per (period, level, trust, ward, measure) of mart_funnel, with small-number"
    " suppression (domain.md §3.3): the numerator under 5 NULL, others to the nearest 5; the rate,"
    " its target and limits NULL when the numerator or people are under 5 or bed days under 100,"
    " others whole numbers; outlier NULL beside a suppressed rate."
)

Column = tuple[str, str, str | None]


def funnel_columns() -> list[Column]:
    shown = suppress_rate_sql("value", "numerator", "denominator", people="people")
    keys = ("period", "period_start", "period_end", "level", "trust_code", "ward_code",
            "measure", "months")  # fmt: skip
    columns: list[Column] = [(c, c, None) for c in keys]
    columns.append(("numerator", suppress_count_sql("numerator"), COUNT_NOTE))
    columns.append(("value", shown, RATE_NOTE))
    for limit in ("target", "lower_95", "upper_95", "lower_998", "upper_998"):
        rule = suppress_rate_sql(limit, "numerator", "denominator", people="people")
        columns.append((limit, f"CASE WHEN ({shown}) IS NULL THEN NULL ELSE {rule} END", RATE_NOTE))
    columns.append(("tau2", "tau2", None))
    hidden = f"CASE WHEN ({shown}) IS NULL THEN NULL ELSE outlier END"
    columns.append(("outlier", hidden, "published: NULL beside a suppressed rate"))
    return columns
