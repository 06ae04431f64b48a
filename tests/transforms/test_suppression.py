"""NHS Digital published-CSV suppression (domain.md §3.3 (a)), in Python and as SQL in DuckDB and
PostgreSQL: the same inputs must give the same published numbers."""

from __future__ import annotations

import duckdb
import pandas as pd
import pytest

from transforms.suppression import (
    suppress_count,
    suppress_count_sql,
    suppress_rate,
    suppress_rate_sql,
)

COUNTS = [0, 4, 5, 7, 8, 12, 13, 17, 18, 99, 100, None]
PUBLISHED_COUNTS = [None, None, 5, 5, 10, 10, 15, 15, 20, 100, 100, None]

# rate, interventions, bed days, people → published
RATES = [
    (12.5, 5, 100, 5, 13),  # half rounds away from zero (Python round() would give 12)
    (2.5, 5, 2000, 5, 3),
    (3.5, 5, 1000, 5, 4),
    (12.49, 5, 400, 5, 12),
    (40.0, 4, 100, 5, None),  # interventions < 5
    (50.5, 5, 99, 5, None),  # bed days < 100
    (50.5, 5, 100, 4, None),  # people < 5
    (None, 5, 100, 5, None),
    (7.0, None, 1000, 5, None),
]


def _as_list(series: pd.Series) -> list[int | None]:
    return [None if pd.isna(v) else int(v) for v in series]


def test_counts_below_five_suppressed_else_nearest_five() -> None:
    out = suppress_count(COUNTS)
    assert str(out.dtype) == "Int64"
    assert _as_list(out) == PUBLISHED_COUNTS


def test_count_keeps_series_index() -> None:
    out = suppress_count(pd.Series([4, 12], index=["RX1", "RX2"]))
    assert list(out.index) == ["RX1", "RX2"]
    assert _as_list(out) == [None, 10]


def test_rate_rules_and_integer_rounding() -> None:
    rate, num, den, ppl, expected = zip(*RATES, strict=True)
    out = suppress_rate(list(rate), list(num), list(den), list(ppl))
    assert _as_list(out) == list(expected)


def test_rate_without_people() -> None:
    out = suppress_rate([50.5, 50.5], [5, 5], [100, 100])
    assert _as_list(out) == [51, 51]


def test_sql_rejects_anything_but_a_column_name() -> None:
    with pytest.raises(ValueError, match="column name"):
        suppress_count_sql("x; DROP TABLE mart_trust_month")


def _sql_rows(con: duckdb.DuckDBPyConnection) -> tuple[list[int | None], list[int | None]]:
    counts = [
        r[0] for r in con.execute(f"SELECT {suppress_count_sql('n')} FROM c ORDER BY i").fetchall()
    ]
    rate_sql = suppress_rate_sql("rate", "num", "den", "ppl")
    rates = [r[0] for r in con.execute(f"SELECT {rate_sql} FROM r ORDER BY i").fetchall()]
    return counts, rates


def test_duckdb_sql_matches_python() -> None:
    con = duckdb.connect()
    con.execute("CREATE TABLE c (i INTEGER, n BIGINT)")
    con.executemany("INSERT INTO c VALUES (?, ?)", list(enumerate(COUNTS)))
    con.execute("CREATE TABLE r (i INTEGER, rate DOUBLE, num BIGINT, den DOUBLE, ppl BIGINT)")
    con.executemany(
        "INSERT INTO r VALUES (?, ?, ?, ?, ?)", [(i, *row[:4]) for i, row in enumerate(RATES)]
    )
    counts, rates = _sql_rows(con)
    assert counts == PUBLISHED_COUNTS
    assert rates == [row[4] for row in RATES]


def test_duckdb_round_on_double_is_half_away_from_zero() -> None:
    # Documents the engine behaviour the module docstring relies on (DuckDB 1.5).
    row = duckdb.sql(
        "SELECT ROUND(2.5::DOUBLE), ROUND(-2.5::DOUBLE), ROUND(0.5::DOUBLE)"
    ).fetchone()
    assert row == (3.0, -3.0, 1.0)


@pytest.mark.postgres
def test_postgres_sql_matches_python(pg_url: str) -> None:
    import psycopg

    with psycopg.connect(pg_url) as conn:
        # PostgreSQL rounds double precision half to even: why the SQL uses FLOOR, not ROUND.
        assert conn.execute("SELECT round(2.5::float8), round(2.5::numeric)").fetchone() == (
            2.0,
            3,
        )
        conn.execute("CREATE TEMP TABLE c (i INTEGER, n BIGINT)")
        conn.cursor().executemany("INSERT INTO c VALUES (%s, %s)", list(enumerate(COUNTS)))
        conn.execute(
            "CREATE TEMP TABLE r (i INTEGER, rate DOUBLE PRECISION, num BIGINT,"
            " den DOUBLE PRECISION, ppl BIGINT)"
        )
        conn.cursor().executemany(
            "INSERT INTO r VALUES (%s, %s, %s, %s, %s)",
            [(i, *row[:4]) for i, row in enumerate(RATES)],
        )
        counts = [r[0] for r in conn.execute(f"SELECT {suppress_count_sql('n')} FROM c ORDER BY i")]
        rate_sql = suppress_rate_sql("rate", "num", "den", "ppl")
        rates = [r[0] for r in conn.execute(f"SELECT {rate_sql} FROM r ORDER BY i")]
    assert counts == PUBLISHED_COUNTS
    assert rates == [row[4] for row in RATES]
