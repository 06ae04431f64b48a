"""The embedded default: a DuckDB file, one writer process at a time.

DuckDB lets one process write a file, and nobody else open it meanwhile (design.md §3.5), so:
- a file lock `<file>.lock` (package filelock) makes a second run wait up to the timeout and then
  fail with `WarehouseBusy`, instead of DuckDB's immediate "could not set lock" error;
- inside the process, writes are serialised by a `threading.Lock`; every read and every
  transaction uses its own cursor (a DuckDB connection to the same database), so Prefect's
  thread task runner can read concurrently;
- DuckDB is driven natively. The schema is migrated first, under the file lock, through
  duckdb-engine (Alembic, `warehouse.migrate`), whose engine is disposed before the native
  connection opens: two connections with different configurations to one file are refused.
"""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import duckdb
import filelock
import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from warehouse import migrate
from warehouse.bi_copy import bi_copy_digest, write_bi_copy
from warehouse.publish_record import PublishRecord
from warehouse.session import Session, check_columns
from warehouse.store import Warehouse, WarehouseBusy


def duckdb_path(url_or_path: str) -> Path:
    """File path of a `duckdb:///...` URL (SQLAlchemy convention) or of a plain path."""
    if url_or_path.startswith("duckdb:"):
        database = make_url(url_or_path).database
        if not database or database == ":memory:":
            raise ValueError(f"{url_or_path}: the warehouse needs a file, not memory")
        return Path(database)
    return Path(url_or_path)


@contextmanager
def _replacing(target: Path) -> Iterator[Path]:
    """A temporary path beside `target`, renamed onto it when the block succeeds."""
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    temporary.unlink(missing_ok=True)
    try:
        yield temporary
        temporary.replace(target)
    finally:
        temporary.unlink(missing_ok=True)
        Path(f"{temporary}.wal").unlink(missing_ok=True)


def _create(path: Path) -> None:
    """A new warehouse, built and migrated beside its name and renamed into place. Created in
    place, a file DuckDB could not finish (the disk full while it wrote the header) stays
    behind as "not a valid DuckDB database file" and every later run fails on it; a temporary
    file left half-written is removed, and the next run starts the warehouse again."""
    with _replacing(path) as temporary:
        migrate.upgrade(f"duckdb:///{temporary}")


class _DuckSession:
    """`Session` over one DuckDB cursor inside an open transaction."""

    def __init__(self, cursor: duckdb.DuckDBPyConnection) -> None:
        self._cursor = cursor

    def execute(self, sql: str, params: Sequence[object] = ()) -> None:
        self._cursor.execute(sql, list(params))

    def query(self, sql: str, params: Sequence[object] = ()) -> pd.DataFrame:
        return self._cursor.execute(sql, list(params)).df()

    def insert_frame(self, table: sa.Table, frame: pd.DataFrame) -> int:
        columns = check_columns(table, frame)
        if not len(frame):
            return 0
        # NaN in a float column would be stored as NaN, not NULL: nullable Float64 maps to NULL.
        floats = frame.select_dtypes("float64").columns
        frame = frame.astype(dict.fromkeys(floats, "Float64")) if len(floats) else frame
        view = f"_incoming_{table.name}"
        names = ", ".join(columns)
        self._cursor.register(view, frame)
        try:
            self._cursor.execute(f"INSERT INTO {table.name} ({names}) SELECT {names} FROM {view}")
        finally:
            self._cursor.unregister(view)
        return len(frame)


class DuckDBWarehouse(Warehouse):
    def __init__(self, path: Path, con: duckdb.DuckDBPyConnection, lock: filelock.BaseFileLock):
        self.path = path
        self._con = con
        self._file_lock = lock
        self._write_lock = threading.Lock()

    @classmethod
    def connect(cls, url_or_path: str, lock_timeout_seconds: float = 60) -> DuckDBWarehouse:
        path = duckdb_path(url_or_path).resolve()
        path.parent.mkdir(parents=True, exist_ok=True)
        lock = filelock.FileLock(f"{path}.lock", thread_local=False)
        busy = (
            f"warehouse {path} is busy: another run holds its lock and did not release it within"
            f" {lock_timeout_seconds:g} s (MHSIP_LOCK_TIMEOUT_SECONDS sets the wait)"
        )
        try:
            lock.acquire(timeout=lock_timeout_seconds)
        except filelock.Timeout:
            raise WarehouseBusy(busy) from None
        try:
            if not path.exists():
                _create(path)
            migrate.upgrade(f"duckdb:///{path}")
            con = duckdb.connect(str(path))
        except duckdb.IOException:
            lock.release()
            raise WarehouseBusy(busy) from None
        except BaseException:
            lock.release()
            raise
        return cls(path, con, lock)

    def _cursor(self) -> duckdb.DuckDBPyConnection:
        cursor = self._con.cursor()
        cursor.execute("SET TimeZone = 'UTC'")  # TIMESTAMPTZ columns come back in UTC
        return cursor

    def _read(self, sql: str, params: Sequence[object] = ()) -> pd.DataFrame:
        cursor = self._cursor()
        try:
            return cursor.execute(sql, list(params)).df()
        finally:
            cursor.close()

    @contextmanager
    def _transaction(self) -> Iterator[Session]:
        with self._write_lock:
            cursor = self._cursor()
            try:
                cursor.begin()
                try:
                    yield _DuckSession(cursor)
                except BaseException:
                    cursor.rollback()
                    raise
                cursor.commit()
            finally:
                cursor.close()

    def checkpoint_and_publish(self, target: Path, full_copy: Path | None = None) -> Path:
        """CHECKPOINT, then replace the BI copy at `target` (only what BI may read,
        `warehouse.bi_copy`) and, when asked, the operators' full copy at `full_copy`: each is
        written beside its final name and renamed into place, so readers never see half a file.
        Copies that already hold the live file as it is are left alone (`warehouse.publish_record`).
        """
        target = Path(target)
        copies = (target,) if full_copy is None else (target, Path(full_copy))
        with self._write_lock:
            self._con.execute("CHECKPOINT")
            record = PublishRecord(self.path, copies, bi_copy_digest())
            if record.holds():
                return target
            with _replacing(target) as temporary:
                write_bi_copy(self._con, temporary)
            if full_copy is not None:
                with _replacing(Path(full_copy)) as temporary:
                    shutil.copyfile(self.path, temporary)
            record.save()
        return target

    def close(self) -> None:
        with self._write_lock:
            try:
                self._con.close()
            finally:
                if self._file_lock.is_locked:
                    self._file_lock.release()
