"""Small-number suppression for figures shared outside the collaborative (domain.md §3.3 (a)).

Copies NHS Digital's rule for the restraints published CSV (✅ domain.md §3.3 (a), which applies it
to every row, England included):
- counts (interventions, incidents, people): < 5 or missing → suppressed; else rounded to the
  nearest 5 (`ROUND(v/5)*5`);
- rates per 1,000 OBD: suppressed when interventions < 5, people < 5 or bed days < 100; else
  rounded to an integer.

Grain: element-wise; one element per published cell. Suppressed cells are `pd.NA` in an `Int64`
Series (the `*` of the CSV is a presentation choice left to the writer).

Rounding is half away from zero, written as sign(x)·floor(|x| + 0.5) both here and in the SQL
expressions below, so Python, DuckDB and PostgreSQL publish identical numbers. (Python's round()
rounds half to even; PostgreSQL's round(double precision) also rounds half to even, while its
round(numeric) and DuckDB's round() on DOUBLE round half away from zero. The floor form avoids
depending on any of that.) For integer counts v/5 never ends in .5, so only rates meet a tie.

The `pub_*` views use `suppress_count_sql` / `suppress_rate_sql`, which return SQL expressions
valid on both engines.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any, Final

import numpy as np
import numpy.typing as npt
import pandas as pd

MIN_COUNT: Final[int] = 5
"""Counts below this are suppressed (1–4; there is no 1–7 rule in MHSDS outputs, domain.md §3.3)."""

MIN_BED_DAYS: Final[int] = 100
"""Rates whose occupied-bed-day denominator is below this are suppressed."""

ROUND_TO: Final[int] = 5

Values = pd.Series | Sequence[float | None] | npt.NDArray[Any]
"""A column of numbers; missing values as None, NaN or pd.NA."""

_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def _as_float(values: Values) -> tuple[npt.NDArray[np.float64], pd.Index | None]:
    if isinstance(values, pd.Series):
        series, index = values, values.index
    else:
        series, index = pd.Series(values), None
    numbers = pd.to_numeric(series, errors="coerce").astype("Float64")
    return np.asarray(numbers.to_numpy(dtype=np.float64, na_value=np.nan), dtype=np.float64), index


def _round_half_away(x: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    return np.sign(x) * np.floor(np.abs(x) + 0.5)


def _to_int64(
    values: npt.NDArray[np.float64], keep: npt.NDArray[np.bool_], index: pd.Index | None
) -> pd.Series:
    out = pd.Series(np.where(keep, values, np.nan), index=index, dtype="Float64")
    return out.astype("Int64")


def suppress_count(values: Values) -> pd.Series:
    """Counts as published: NA when < 5 or missing, else rounded to the nearest 5 (Int64).

    Keeps the index of a Series input.
    """
    x, index = _as_float(values)
    with np.errstate(invalid="ignore"):
        keep = np.isfinite(x) & (x >= MIN_COUNT)
    return _to_int64(_round_half_away(x / ROUND_TO) * ROUND_TO, keep, index)


def suppress_rate(
    rate: Values,
    numerator: Values,
    denominator: Values,
    people: Values | None = None,
) -> pd.Series:
    """Rates as published: NA when suppressed, else rounded to an integer (Int64).

    Suppressed when the numerator (interventions) is < 5, `people` (if given) is < 5, the
    denominator (occupied bed days) is < 100, or any of them or the rate is missing. Inputs are
    aligned by position; the result keeps the index of `rate` when it is a Series.
    """
    r, index = _as_float(rate)
    num, _ = _as_float(numerator)
    den, _ = _as_float(denominator)
    with np.errstate(invalid="ignore"):
        keep = (
            np.isfinite(r)
            & np.isfinite(num)
            & (num >= MIN_COUNT)
            & np.isfinite(den)
            & (den >= MIN_BED_DAYS)
        )
        if people is not None:
            ppl, _ = _as_float(people)
            keep &= np.isfinite(ppl) & (ppl >= MIN_COUNT)
    return _to_int64(_round_half_away(r), keep, index)


def _check(*columns: str) -> None:
    for column in columns:
        if not _IDENTIFIER.match(column):
            raise ValueError(f"not a plain SQL column name: {column!r}")


def _round_sql(expr: str) -> str:
    return f"CAST(SIGN({expr}) * FLOOR(ABS({expr}) + 0.5) AS BIGINT)"


def suppress_count_sql(column: str) -> str:
    """SQL expression (DuckDB and PostgreSQL) equal to `suppress_count` on `column`.

    e.g. `CASE WHEN interventions IS NULL OR interventions < 5 THEN NULL ELSE
    CAST(SIGN(interventions / 5.0) * FLOOR(ABS(interventions / 5.0) + 0.5) AS BIGINT) * 5 END`.
    """
    _check(column)
    scaled = f"({column} / {ROUND_TO}.0)"
    return (
        f"CASE WHEN {column} IS NULL OR {column} < {MIN_COUNT} THEN NULL "
        f"ELSE {_round_sql(scaled)} * {ROUND_TO} END"
    )


def suppress_rate_sql(
    rate: str, numerator: str, denominator: str, people: str | None = None
) -> str:
    """SQL expression (DuckDB and PostgreSQL) equal to `suppress_rate` on these columns."""
    _check(rate, numerator, denominator, *([people] if people else []))
    conditions = [
        f"{rate} IS NULL",
        f"{numerator} IS NULL OR {numerator} < {MIN_COUNT}",
        f"{denominator} IS NULL OR {denominator} < {MIN_BED_DAYS}",
    ]
    if people:
        conditions.append(f"{people} IS NULL OR {people} < {MIN_COUNT}")
    when = " OR ".join(conditions)
    return f"CASE WHEN {when} THEN NULL ELSE {_round_sql(rate)} END"
