"""A read-only view of the configured warehouse for the operators' tools (`mhsip status`,
`mhsip report`), taken without the writer lock, so they work while a run is loading.

- PostgreSQL: the warehouse itself, on a plain connection whose session is read-only (no
  advisory lock). Run them as the warehouse owner: they read `etl_*`, which the BI role cannot.
- DuckDB: the operators' full read-only copy (`MHSIP_OPERATORS_COPY`) that every successful run
  replaces beside the BI copy: the live file is locked while a run writes, and the BI copy holds
  no `etl_*` table.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import pandas as pd

from warehouse.engine import is_postgres
from warehouse.reads import Reader


def operators_source(warehouse_url: str, full_copy: Path) -> str | Path:
    """What the operators' tools read: the PostgreSQL URL, or DuckDB's full copy."""
    return warehouse_url if is_postgres(warehouse_url) else Path(full_copy)


@contextmanager
def read_only(source: str | Path) -> Iterator[Reader]:
    """A `Reader` (qmark SQL, params → DataFrame) over a PostgreSQL warehouse (its URL) or a
    DuckDB file (a path), read-only. Raises FileNotFoundError when the file does not exist (no
    run has published it yet).
    """
    if isinstance(source, str) and is_postgres(source):
        warehouse_url = source
        import psycopg

        from warehouse.postgres_store import cursor_frame, libpq_url, pg_params, to_pyformat

        with psycopg.connect(libpq_url(warehouse_url)) as conn:
            conn.read_only = True
            conn.execute("SET TIME ZONE 'UTC'")

            def read_pg(sql: str, params: Sequence[object] = ()) -> pd.DataFrame:
                with conn.cursor() as cur:
                    cur.execute(to_pyformat(sql), pg_params(params))  # type: ignore[arg-type]
                    return cursor_frame(cur)

            yield read_pg
        return
    import duckdb

    path = Path(source)
    if not path.exists():
        raise FileNotFoundError(f"no warehouse published yet at {path}; run `mhsip nightly`")
    with duckdb.connect(str(path), read_only=True) as con:
        con.execute("SET TimeZone = 'UTC'")

        def read_duck(sql: str, params: Sequence[object] = ()) -> pd.DataFrame:
            return con.execute(sql, list(params)).df()

        yield read_duck
