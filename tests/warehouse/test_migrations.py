"""Alembic migrations: idempotent upgrade, schema identical to the metadata on both engines,
and a warehouse made before migrations existed adopted without losing rows."""

from __future__ import annotations

from datetime import date
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
from warehouse.schema import METADATA, column_names


def test_upgrade_from_empty_is_idempotent_and_reaches_head(tmp_path: Path) -> None:
    path = str(tmp_path / "new" / "w.duckdb")
    assert migrate.current_revision(path) is None
    assert migrate.upgrade(path) == migrate.Migration(None, "0011")
    assert migrate.upgrade(path) == migrate.Migration("0011", "0011")
    assert migrate.head_revision() == "0011"


@pytest.mark.postgres
def test_upgrade_from_empty_on_postgres(pg_url: str) -> None:
    with fresh_database(pg_url) as (_, url):
        assert migrate.upgrade(url) == migrate.Migration(None, "0011")
        assert migrate.upgrade(url) == migrate.Migration("0011", "0011")


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
    assert migrate.current_revision(str(path)) == "0011"


def test_urls_are_normalised_for_sqlalchemy(tmp_path: Path) -> None:
    assert migrate.sqlalchemy_url("postgresql://u:pw@h:5/db") == "postgresql+psycopg://u:pw@h:5/db"
    assert migrate.sqlalchemy_url("postgres://h/db") == "postgresql+psycopg://h/db"
    assert migrate.sqlalchemy_url("postgresql+psycopg://h/db") == "postgresql+psycopg://h/db"
    assert migrate.sqlalchemy_url(str(tmp_path / "w.duckdb")) == f"duckdb:///{tmp_path}/w.duckdb"


def test_a_warehouse_at_0003_gains_the_issue_12_columns_and_views(tmp_path: Path) -> None:
    """0004 adds completeness (and the other issue-12 columns) to a warehouse made at 0003."""
    path = tmp_path / "at0003.duckdb"
    con = duckdb.connect(str(path))
    for statement in schema_statements(METADATA):
        con.execute(statement)
    for table, columns in {
        "mart_trust_month": ("completeness", "trusts_included", "trusts_expected"),
        "mart_equity_month": ("people", "completeness"),
        "mart_spc": ("rule_profile", "partition_warning"),
        "dim_trust": ("spc_rule_profile", "spc_target_value", "spc_target_baseline"),
    }.items():
        for column in columns:
            con.execute(f"ALTER TABLE {table} DROP COLUMN IF EXISTS {column}")
    for column in [c for c in column_names(METADATA.tables["mart_trust_month"])
                   if c.startswith("people_")]:  # fmt: skip
        con.execute(f"ALTER TABLE mart_trust_month DROP COLUMN {column}")
    con.execute("DROP TABLE dim_collaborative")
    con.close()
    command_config = migrate.alembic_config(str(path))
    from alembic import command

    command.stamp(command_config, "0003")
    assert migrate.upgrade(str(path)) == migrate.Migration("0003", migrate.head_revision())
    con = duckdb.connect(str(path), read_only=True)
    try:
        names = {r[0] for r in con.execute(
            "SELECT column_name FROM information_schema.columns"
            " WHERE table_name = 'pub_trust_month'").fetchall()}  # fmt: skip
    finally:
        con.close()
    assert {"completeness", "trusts_included", "trusts_expected", "people_prone"} <= names
    with open_warehouse(str(path)) as wh:
        assert wh.table_counts()["dim_collaborative"] == 0


@pytest.mark.postgres
def test_partition_deletes_use_the_fact_tables_index_on_postgres(pg_url: str) -> None:
    """0008: each fact table has its (trust_code, reporting_month) index and a partition's
    delete finds its rows through it, not by scanning the table."""
    import psycopg

    from warehouse.postgres_store import libpq_url
    from warehouse.queries import DELETE_FACTS
    from warehouse.schema import FACT_TABLES

    with fresh_database(pg_url) as (_, url):
        migrate.upgrade(url)
        with psycopg.connect(libpq_url(url), autocommit=True) as con:
            for table in FACT_TABLES.values():
                found = con.execute(
                    "SELECT indexdef FROM pg_indexes WHERE tablename = %s", [table.name]
                ).fetchall()
                assert [row[0].split(" USING ")[1] for row in found] == [
                    "btree (trust_code, reporting_month)"
                ]
                con.execute("SET enable_seqscan = off")  # an empty table: force the choice
                sql = DELETE_FACTS.format(table=table.name, months="%s").replace("?", "%s")
                plan = con.execute(f"EXPLAIN {sql}", ["RXY", date(2024, 1, 1)]).fetchall()
                assert f"ix_{table.name}_partition" in " ".join(row[0] for row in plan)


def test_0008_adds_no_index_on_duckdb(tmp_path: Path) -> None:
    """DuckDB skips row groups by their min-max zone maps; 0008 leaves it without an ART index."""
    path = tmp_path / "w.duckdb"
    migrate.upgrade(str(path))
    con = duckdb.connect(str(path), read_only=True)
    try:
        assert con.execute("SELECT count(*) FROM duckdb_indexes()").fetchone() == (0,)
    finally:
        con.close()


def test_a_warehouse_at_0007_keeps_its_spc_rows_as_trust_series(tmp_path: Path) -> None:
    """0009 rebuilds mart_spc keyed by ward: the rows it had become ward_code 'ALL' series."""
    from warehouse.marts.published_views import published_views as views
    from warehouse.schema_wards import equity_people_columns, measure_columns

    path = tmp_path / "at0007.duckdb"
    con = duckdb.connect(str(path))
    for statement in schema_statements(METADATA):
        con.execute(statement)
    for name in views():
        con.execute(f"DROP VIEW IF EXISTS {name}")
    con.execute("DROP TABLE mart_ward_month")
    con.execute("DROP TABLE dim_change")
    for column in measure_columns():
        con.execute(f"ALTER TABLE mart_trust_month DROP COLUMN {column.name}")
    for column in equity_people_columns():
        con.execute(f"ALTER TABLE mart_equity_month DROP COLUMN {column.name}")
    con.execute("DROP TABLE mart_spc")
    con.execute(
        "CREATE TABLE mart_spc (trust_code TEXT NOT NULL, reporting_month DATE NOT NULL,"
        " measure TEXT NOT NULL, value DOUBLE, PRIMARY KEY (trust_code, reporting_month, measure))"
    )
    con.execute("INSERT INTO mart_spc VALUES ('RX2', DATE '2024-01-01', 'people', 3)")
    con.close()
    from alembic import command

    command.stamp(migrate.alembic_config(str(path)), "0007")
    assert migrate.upgrade(str(path)) == migrate.Migration("0007", migrate.head_revision())
    con = duckdb.connect(str(path), read_only=True)
    try:
        rows = con.execute("SELECT trust_code, ward_code, measure, value FROM mart_spc").fetchall()
        ward_columns = {r[0] for r in con.execute(
            "SELECT column_name FROM information_schema.columns"
            " WHERE table_name = 'pub_ward_month'").fetchall()}  # fmt: skip
    finally:
        con.close()
    assert rows == [("RX2", "ALL", "people", 3.0)]
    assert {"ward_code", "pct_physical_prone", "seclusion_days"} <= ward_columns


def test_a_warehouse_at_0010_gains_the_stay_check_column(warehouse_url: str) -> None:
    """0011 adds interventions_longer_than_stay to mart_trust_month, keeping its rows (NULL in
    the new column until their month's marts are refreshed), on DuckDB and PostgreSQL."""
    from alembic import command

    migrate.upgrade(warehouse_url)
    sa_engine = sa.create_engine(migrate.sqlalchemy_url(warehouse_url), poolclass=sa.NullPool)
    try:
        with sa_engine.begin() as connection:
            connection.execute(
                sa.text("ALTER TABLE mart_trust_month DROP COLUMN interventions_longer_than_stay")
            )
            connection.execute(sa.text(
                "INSERT INTO mart_trust_month (trust_code, reporting_month, interventions)"
                " VALUES ('RX2', DATE '2024-03-01', 7)"))  # fmt: skip
        command.stamp(migrate.alembic_config(warehouse_url), "0010")
        assert migrate.upgrade(warehouse_url) == migrate.Migration("0010", "0011")
        with sa_engine.connect() as connection:
            rows = connection.execute(sa.text(
                "SELECT trust_code, interventions, interventions_longer_than_stay"
                " FROM mart_trust_month")).fetchall()  # fmt: skip
    finally:
        sa_engine.dispose()
    assert [tuple(r) for r in rows] == [("RX2", 7, None)]
