"""Which pseudonymisation key built this warehouse: its fingerprint, read without writing.

`etl_key_check` holds `transforms.identifiers.key_fingerprint(key)` of the first run's key. The
command line reads it here before a run starts (so a wrong key stops with one line before
Prefect, a lock or a migration is touched); the flow checks again under its lock
(`flows.runs.check_key`) for runs started by a scheduler.
"""

from __future__ import annotations

from typing import Final

KEY_MISMATCH: Final = (
    "the pseudonymisation key (MHSIP_PSEUDONYMISATION_KEY) differs from the one this warehouse "
    "was built with; nothing was changed. To change keys, backfill into a fresh warehouse "
    "(docs/runbooks/key-rotation.md)"
)
_QUERY: Final = "SELECT fingerprint FROM etl_key_check WHERE check_name = 'pseudonymisation_key'"


def read_fingerprint(url: str) -> str | None:
    """The stored fingerprint; None when there is no warehouse or no fingerprint yet, or when it
    cannot be read now (busy, unreachable: the flow's own check then decides)."""
    from warehouse.engine import is_postgres

    try:
        rows = _postgres_rows(url) if is_postgres(url) else _duckdb_rows(url)
    except Exception:  # any failure to read is left to the flow's check under its lock
        return None
    return str(rows[0][0]) if rows else None


def _duckdb_rows(url: str) -> list[tuple]:
    import duckdb

    from warehouse.duckdb_store import duckdb_path

    path = duckdb_path(url)
    if not path.exists():
        return []
    with duckdb.connect(str(path), read_only=True) as con:
        return con.sql(_QUERY).fetchall()


def _postgres_rows(url: str) -> list[tuple]:
    import sqlalchemy as sa

    engine = sa.create_engine(url, connect_args={"connect_timeout": 5})
    try:
        with engine.connect() as conn:
            return [tuple(r) for r in conn.execute(sa.text(_QUERY)).fetchall()]
    finally:
        engine.dispose()
