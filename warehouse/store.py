"""`Warehouse`: the only writer of the warehouse, with an engine-neutral interface.

`warehouse.engine.open_warehouse(url_or_path)` returns the implementation for the URL: DuckDB
(the embedded default) or PostgreSQL (`postgresql+psycopg://...`). Each implements only the
engine primitives below (`_read`, `_transaction`, `checkpoint_and_publish`) plus `close`.
Everything else (partition replacement, reads, dimension and mart refresh) is written once, in
portable SQL and pandas.

Opening a warehouse brings its schema up to date (Alembic migrations, `warehouse.migrate`)
under the writer lock, so a new release needs no separate step; `mhsip db upgrade` does the
same on demand.

Loads are idempotent per trust-month and atomic: `replace_partition` runs in one transaction.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Sequence
from contextlib import AbstractContextManager
from datetime import date
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING

import pandas as pd

from transforms.trust_config import Registry
from warehouse import queries, reads
from warehouse.partition_load import PartitionLoad
from warehouse.partition_writes import apply_partitions
from warehouse.schema import etl_archive_access
from warehouse.session import Session

if TYPE_CHECKING:  # the marts import scipy: only when a refresh runs
    from warehouse.marts.refresh import Mapper

KEY_CHECK = "pseudonymisation_key"


class WarehouseBusy(RuntimeError):  # noqa: N818 - the name the flows and CLI catch
    """Another process holds the warehouse's writer lock beyond the configured timeout."""


class Warehouse(ABC):
    # --- engine primitives --------------------------------------------------------------------
    @abstractmethod
    def close(self) -> None: ...

    @abstractmethod
    def _read(self, sql: str, params: Sequence[object] = ()) -> pd.DataFrame:
        """Run a read-only query outside any write transaction (safe from several threads)."""

    @abstractmethod
    def _transaction(self) -> AbstractContextManager[Session]:
        """One serialised write transaction: commit on success, roll back on any error."""

    @abstractmethod
    def checkpoint_and_publish(self, target: Path, full_copy: Path | None = None) -> Path | str:
        """Make the run's result visible to BI; returns where BI reads it.

        DuckDB: atomically replace the BI copy at `target` (the relations BI may read,
        `warehouse.bi_copy`; design.md §3.5) and, when `full_copy` is given, the operators' full
        read-only copy there; returns the BI copy's path. PostgreSQL: nothing to do (BI reads the
        database as its role); returns the password-free URL.
        """

    # --- writes -------------------------------------------------------------------------------
    def replace_partition(self, load: PartitionLoad) -> None:
        """One trust-month's outcomes in ONE transaction (`warehouse.partition_writes`)."""
        self.replace_partitions([load])

    def record_archive_access(self, rows: list[dict[str, object]]) -> None:
        """Rows of `etl_archive_access`, in one transaction (before the bytes are read)."""
        if rows:
            with self._transaction() as session:
                session.insert_frame(etl_archive_access, pd.DataFrame(rows))

    def replace_partitions(self, loads: list[PartitionLoad]) -> None:
        """Apply several trust-months in ONE transaction: each is all-or-nothing, and a chunk
        of months costs one commit."""
        with self._transaction() as session:
            apply_partitions(session, loads)

    def refresh_dimensions(self, registry: Registry) -> None:
        from warehouse.marts import refresh  # here: the marts import scipy (~1 s), which a
        # nightly with nothing new never needs

        with self._transaction() as session:
            refresh.refresh_dimensions(session, registry)

    def refresh_marts(
        self, partitions: Iterable[tuple[str, date]] | None, mapper: Mapper = map
    ) -> None:
        """Recompute marts for the touched (trust, month)s and their months' `ALL` rows; None
        rebuilds everything, with identical results. `mapper` builds each pass's marts
        (`warehouse.marts.refresh.refresh_marts`)."""
        from warehouse.marts import refresh

        with self._transaction() as session:
            touched = None if partitions is None else list(partitions)
            refresh.refresh_marts(session, touched, mapper)

    def record_key_fingerprint(self, fingerprint: str) -> None:
        """Record the key's fingerprint once; a warehouse keeps the first one."""
        with self._transaction() as session:
            session.execute(
                "INSERT INTO etl_key_check (check_name, fingerprint, recorded_at) "
                "SELECT ?, ?, CURRENT_TIMESTAMP WHERE NOT EXISTS "
                "(SELECT 1 FROM etl_key_check WHERE check_name = ?)",
                (KEY_CHECK, fingerprint, KEY_CHECK),
            )

    # --- reads --------------------------------------------------------------------------------
    def key_fingerprint(self) -> str | None:
        """The fingerprint of the key this warehouse was built with; None before the first run."""
        frame = self._read(
            "SELECT fingerprint FROM etl_key_check WHERE check_name = ?", (KEY_CHECK,)
        )
        return None if frame.empty else str(frame["fingerprint"].iloc[0])

    def pending_mart_partitions(self) -> list[tuple[str, date]]:
        """Trust-months loaded whose marts a killed run did not refresh (etl_mart_pending)."""
        frame = self._read(queries.PENDING_MARTS)
        return [
            (str(t), reads.month_start(m))
            for t, m in zip(frame["trust_code"], frame["reporting_month"], strict=True)
        ]

    def latest_submissions(self) -> pd.DataFrame:
        return reads.latest_submissions(self._read)

    def submission_matrix(self, months: list[date] | None = None) -> pd.DataFrame:
        return reads.submission_matrix(self._read, months)

    def archived_submissions(
        self, trusts: Sequence[str] | None, from_month: date, to_month: date
    ) -> pd.DataFrame:
        return reads.archived_submissions(self._read, trusts, from_month, to_month)

    def table_counts(self) -> dict[str, int]:
        return reads.table_counts(self._read)

    def unreconciled_submissions(self) -> pd.DataFrame:
        return reads.unreconciled_submissions(self._read)

    def query(self, sql: str, params: Sequence[object] = ()) -> pd.DataFrame:
        """Ad-hoc read (reports, tests); qmark placeholders."""
        return self._read(sql, params)

    # --- context manager ----------------------------------------------------------------------
    def __enter__(self) -> Warehouse:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:  # fmt: skip
        self.close()
