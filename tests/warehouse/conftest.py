"""Warehouse fixtures: every `wh` test runs on DuckDB and on the local PostgreSQL server.

Each test gets its own warehouse copied from a migrated template (a DuckDB file; a PostgreSQL
database), so tests are isolated and leave nothing behind. The PostgreSQL case skips locally
when no server answers (and fails in CI).
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.warehouse.helpers import fresh_database
from warehouse import migrate
from warehouse.engine import open_warehouse
from warehouse.store import Warehouse

ENGINES = ["duckdb", pytest.param("postgres", marks=pytest.mark.postgres)]


@pytest.fixture(scope="session")
def pg_template(pg_url: str) -> Iterator[str]:
    """Name of a database migrated to head, to copy per test."""
    with fresh_database(pg_url, prefix="mhsip_tpl") as (name, url):
        migrate.upgrade(url)
        yield name


@pytest.fixture(scope="session")
def duckdb_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A DuckDB file migrated to head, to copy per test (copying beats migrating each time)."""
    path = tmp_path_factory.mktemp("template") / "mhsip.duckdb"
    migrate.upgrade(str(path))
    return path


@pytest.fixture(params=ENGINES)
def engine(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def warehouse_url(engine: str, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[str]:
    """A fresh, empty warehouse location for `engine` (DuckDB file path or PostgreSQL URL)."""
    if engine == "duckdb":
        path = tmp_path / "wh" / "mhsip.duckdb"
        path.parent.mkdir()
        shutil.copyfile(request.getfixturevalue("duckdb_template"), path)
        yield str(path)
        return
    pg_url = request.getfixturevalue("pg_url")
    template = request.getfixturevalue("pg_template")
    with fresh_database(pg_url, template=template) as (_, url):
        yield url


@pytest.fixture
def wh(warehouse_url: str) -> Iterator[Warehouse]:
    with open_warehouse(warehouse_url, lock_timeout_seconds=5) as store:
        yield store
