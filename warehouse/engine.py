"""Open the warehouse a URL names: the one place that knows which engines exist."""

from __future__ import annotations

from warehouse.store import Warehouse


def is_postgres(url_or_path: str) -> bool:
    return url_or_path.startswith(("postgresql", "postgres:"))


def open_warehouse(url_or_path: str, lock_timeout_seconds: float = 60) -> Warehouse:
    """Open the warehouse at a URL or path, migrating its schema to the latest revision.

    `duckdb:///relative.duckdb`, `duckdb:////abs/path.duckdb` (SQLAlchemy's convention) and a
    plain path open DuckDB (creating folders); `postgresql+psycopg://` (or `postgresql://`)
    URLs open PostgreSQL. Waits up to `lock_timeout_seconds` for another writer, then
    raises `WarehouseBusy`.
    """
    if is_postgres(url_or_path):
        from warehouse.postgres_store import PostgresWarehouse

        return PostgresWarehouse.connect(url_or_path, lock_timeout_seconds)
    from warehouse.duckdb_store import DuckDBWarehouse

    return DuckDBWarehouse.connect(url_or_path, lock_timeout_seconds)
