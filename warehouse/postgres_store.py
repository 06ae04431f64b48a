"""PostgreSQL as the warehouse: the engine primitives over psycopg 3; everything else is shared.

- Writer lock: a session-level advisory lock keyed by the warehouse's schema, taken with
  `pg_try_advisory_lock` in a loop until the timeout, then `WarehouseBusy`. It is held for the
  life of the `PostgresWarehouse`, like DuckDB's file lock, so runs never interleave; BI readers
  are not affected (PostgreSQL has no single-writer limit).
- Connections: one for reads (which also holds the lock) and one for write transactions, each
  serialised by a `threading.Lock`, so Prefect's thread task runner can share the store.
- One transaction per `_transaction` (psycopg `conn.transaction()`): commit on success,
  rollback on any error, so a partition is replaced entirely or not at all.
- Bulk inserts are binary COPY (`warehouse.pg_frames`), never row-by-row INSERT.
- Shared SQL uses qmark placeholders; `to_pyformat` rewrites them for psycopg.
- `checkpoint_and_publish` does nothing: BI reads PostgreSQL itself, as the `mhsip_bi` role
  (`warehouse.access`). It returns the URL, without password, for the run report.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Final

import pandas as pd
import psycopg
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from warehouse import migrate
from warehouse.pg_frames import copy_columns, copy_type, python_param, result_frame
from warehouse.session import Session, check_columns
from warehouse.store import Warehouse, WarehouseBusy

LOCK_SQL: Final = (
    "SELECT pg_try_advisory_lock(hashtext('mhsip.warehouse'), hashtext(current_schema()))"
)
POLL_SECONDS: Final = 0.2


def libpq_url(url: str) -> str:
    """A libpq connection URL (what psycopg takes) from a SQLAlchemy PostgreSQL URL."""
    sa_url = make_url(migrate.sqlalchemy_url(url)).set(drivername="postgresql")
    return sa_url.render_as_string(hide_password=False)


def safe_url(url: str) -> str:
    """The URL with any password masked, fit for logs and reports."""
    return make_url(migrate.sqlalchemy_url(url)).render_as_string(hide_password=True)


def to_pyformat(sql: str) -> str:
    """qmark (`?`) placeholders → psycopg's `%s`; every `%` doubled so psycopg keeps it.

    `?` inside single-quoted literals and double-quoted identifiers is left alone.
    """
    out, quote = [], ""
    for char in sql:
        if quote:
            quote = "" if char == quote else quote
        elif char in "'\"":
            quote = char
        elif char == "?":
            out.append("%s")
            continue
        out.append("%%" if char == "%" else char)
    return "".join(out)


def pg_params(params: Sequence[object]) -> list[object]:
    return [python_param(p) for p in params]


def cursor_frame(cursor: psycopg.Cursor[tuple[object, ...]]) -> pd.DataFrame:
    if cursor.description is None:
        return pd.DataFrame()
    columns = [(c.name, c.type_code) for c in cursor.description]
    return result_frame(columns, cursor.fetchall())


class _PgSession:
    """`Session` over one connection inside an open transaction."""

    def __init__(self, connection: psycopg.Connection[tuple[object, ...]]) -> None:
        self._connection = connection

    def execute(self, sql: str, params: Sequence[object] = ()) -> None:
        self._connection.execute(to_pyformat(sql), pg_params(params))

    def query(self, sql: str, params: Sequence[object] = ()) -> pd.DataFrame:
        return cursor_frame(self._connection.execute(to_pyformat(sql), pg_params(params)))

    def insert_frame(self, table: sa.Table, frame: pd.DataFrame) -> int:
        names = check_columns(table, frame)
        if not len(frame):
            return 0
        columns = copy_columns(table, frame)
        statement = f"COPY {table.name} ({', '.join(names)}) FROM STDIN (FORMAT BINARY)"
        with self._connection.cursor().copy(statement) as copy:
            copy.set_types([copy_type(c) for c in table.columns])
            for row in zip(*columns, strict=True):
                copy.write_row(row)
        return len(frame)


def _connect(url: str) -> psycopg.Connection[tuple[object, ...]]:
    connection = psycopg.connect(libpq_url(url), autocommit=True)
    connection.execute("SET TIME ZONE 'UTC'")
    return connection


def _acquire(connection: psycopg.Connection[tuple[object, ...]], timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while True:
        row = connection.execute(LOCK_SQL).fetchone()
        if row is not None and row[0]:
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(min(POLL_SECONDS, max(0.0, deadline - time.monotonic())))


class PostgresWarehouse(Warehouse):
    def __init__(self, url: str, reader: psycopg.Connection[tuple[object, ...]]) -> None:
        self.url = url
        self._reader = reader
        self._writer: psycopg.Connection[tuple[object, ...]] | None = None
        self._read_lock = threading.Lock()
        self._write_lock = threading.Lock()

    @classmethod
    def connect(cls, url: str, lock_timeout_seconds: float = 60) -> PostgresWarehouse:
        """Take the writer lock (or raise WarehouseBusy), migrate to head, open the writer."""
        reader = _connect(url)
        try:
            if not _acquire(reader, lock_timeout_seconds):
                raise WarehouseBusy(
                    f"warehouse {safe_url(url)} is busy: another run holds its lock and did not"
                    f" release it within {lock_timeout_seconds:g} s (MHSIP_LOCK_TIMEOUT_SECONDS"
                    " sets the wait)"
                )
            migrate.upgrade(url)
            store = cls(url, reader)
            store._writer = _connect(url)
        except BaseException:
            reader.close()
            raise
        return store

    def _read(self, sql: str, params: Sequence[object] = ()) -> pd.DataFrame:
        with self._read_lock:
            return cursor_frame(self._reader.execute(to_pyformat(sql), pg_params(params)))

    @contextmanager
    def _transaction(self) -> Iterator[Session]:
        assert self._writer is not None, "the warehouse is closed"
        with self._write_lock, self._writer.transaction():
            yield _PgSession(self._writer)

    def checkpoint_and_publish(self, target: Path, full_copy: Path | None = None) -> str:
        """Nothing to publish: BI reads PostgreSQL directly (docs/bi.md)."""
        return safe_url(self.url)

    def close(self) -> None:
        with self._write_lock, self._read_lock:
            if self._writer is not None:
                self._writer.close()
                self._writer = None
            self._reader.close()  # ends the session, which releases the advisory lock
