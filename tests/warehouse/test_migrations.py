"""Alembic migrations: idempotent upgrade, schema identical to the metadata on both engines,
and a warehouse made before migrations existed adopted without losing rows."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from tests.warehouse.helpers import fresh_database
from warehouse import migrate
from warehouse.ddl import schema_statements
from warehouse.engine import open_warehouse
from warehouse.marts.published_views import published_views
from warehouse.schema import METADATA


def test_upgrade_from_empty_is_idempotent_and_reaches_head(tmp_path: Path) -> None:
    path = str(tmp_path / "new" / "w.duckdb")
    assert migrate.current_revision(path) is None
    assert migrate.upgrade(path) == migrate.Migration(None, "0005")
    assert migrate.upgrade(path) == migrate.Migration("0005", "0005")
    assert migrate.head_revision() == "0005"


@pytest.mark.postgres
def test_upgrade_from_empty_on_postgres(pg_url: str) -> None:
    with fresh_database(pg_url) as (_, url):
        assert migrate.upgrade(url) == migrate.Migration(None, "0005")
        assert migrate.upgrade(url) == migrate.Migration("0005", "0005")


def _reflected_columns(connection: sa.Connection) -> dict[str, list[tuple]]:
    inspector = sa.inspect(connection)
    return {
        name: [(c["name"], c["nullable"], c.get("comment")) for c in inspector.get_columns(name)]
        for name in METADATA.tables
    }


def test_migrated_schema_matches_the_metadata(warehouse_url: str, engine: str) -> None:
    migrate.upgrade(warehouse_url)
    sa_engine = sa.create_engine(migrate.sqlalchemy_url(warehouse_url), poolclass=sa.NullPool)
    try:
        with sa_engine.connect() as connection:
            columns = _reflected_columns(connection)
            views = set(sa.inspect(connection).get_view_names())
            if engine == "postgres":  # duckdb-engine cannot reflect constraints in bulk
                context = MigrationContext.configure(connection, opts={"compare_type": True})
                assert compare_metadata(context, METADATA) == []
    finally:
        sa_engine.dispose()
    assert columns == {
        table.name: [(c.name, c.nullable, c.comment) for c in table.columns]
        for table in METADATA.tables.values()
    }
    assert views == set(published_views())


def test_open_adopts_a_warehouse_made_before_migrations(tmp_path: Path) -> None:
    path = tmp_path / "old.duckdb"
    con = duckdb.connect(str(path))  # what Warehouse.open did before migrations existed
    for statement in schema_statements(METADATA):
        con.execute(statement)
    con.execute("INSERT INTO dim_month (reporting_month) VALUES (DATE '2024-01-01')")
    con.close()

    with open_warehouse(str(path)) as wh:
        assert wh.table_counts()["dim_month"] == 1
        assert wh.query("SELECT COUNT(*) AS n FROM pub_trust_month")["n"].tolist() == [0]
    assert migrate.current_revision(str(path)) == "0005"


def test_urls_are_normalised_for_sqlalchemy(tmp_path: Path) -> None:
    assert migrate.sqlalchemy_url("postgresql://u:pw@h:5/db") == "postgresql+psycopg://u:pw@h:5/db"
    assert migrate.sqlalchemy_url("postgres://h/db") == "postgresql+psycopg://h/db"
    assert migrate.sqlalchemy_url("postgresql+psycopg://h/db") == "postgresql+psycopg://h/db"
    assert migrate.sqlalchemy_url(str(tmp_path / "w.duckdb")) == f"duckdb:///{tmp_path}/w.duckdb"
