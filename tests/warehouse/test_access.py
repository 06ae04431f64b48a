"""BI access, one model on both engines: the PostgreSQL read-only role and the DuckDB BI copy
hold exactly `bi_relations()` (pub_* views, marts, dims), nothing row-level, nothing etl_."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import duckdb
import psycopg
import pytest
from sqlalchemy.engine import make_url
from typer.testing import CliRunner

from tests.warehouse.helpers import drop_role, loaded, stay, ws_frame
from warehouse.access import bi_relations, grant_bi
from warehouse.bi_copy import bi_tables
from warehouse.marts.published_views import published_views
from warehouse.partition_load import PartitionLoad
from warehouse.schema import METADATA
from warehouse.store import Warehouse

JAN = date(2024, 1, 1)
# A pseudonym and a file name distinctive enough to search for in a file's bytes.
PATIENT = "3a7bd3e2360a3d29eea436fcfb7e44c735d117c42d1c1835420b6b9942dd4f1b"
SUBMISSION = "RX2-2024-01-ws-uniquefilename"


def _load_one(wh: Warehouse) -> None:
    stays = ws_frame([stay("RX2", JAN, "S1", 31, patient=PATIENT)])
    wh.replace_partition(PartitionLoad("RX2", JAN, [loaded("ward_stays", SUBMISSION, stays)]))
    wh.refresh_marts(None)


def test_bi_relations_are_the_published_views_marts_and_dimensions() -> None:
    """Derived from the schema, so marts added later are covered without editing this test."""
    expected = sorted(
        [n for n in METADATA.tables if n.startswith(("mart_", "dim_"))] + list(published_views())
    )
    assert bi_relations() == expected
    assert {"pub_trust_month", "pub_equity_month", "mart_trust_month", "dim_trust"} <= set(expected)
    assert not [n for n in expected if n.startswith(("fct_", "etl_", "alembic"))]
    assert [t.name for t in bi_tables()] == sorted(set(expected) - set(published_views()))


def test_grant_bi_refuses_duckdb_with_the_reason(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="published read-only copy"):
        grant_bi(str(tmp_path / "w.duckdb"))


# --- DuckDB: the BI copy ----------------------------------------------------------------------


@pytest.mark.parametrize("engine", ["duckdb"], indirect=True)
def test_duckdb_bi_copy_holds_exactly_what_the_bi_role_may_read(
    wh: Warehouse, tmp_path: Path
) -> None:
    _load_one(wh)
    target = tmp_path / "published" / "mhsip.duckdb"
    full = tmp_path / "operators" / "mhsip-operators-full.duckdb"
    assert wh.checkpoint_and_publish(target, full) == target
    with duckdb.connect(str(target), read_only=True) as con:
        relations = con.sql(
            "SELECT table_name, table_type FROM information_schema.tables ORDER BY 1"
        ).fetchall()
        columns = {c for (c,) in con.sql("SELECT column_name FROM information_schema.columns")
                   .fetchall()}  # fmt: skip
        people = con.sql("SELECT trust_code, people FROM pub_trust_month ORDER BY 1").fetchall()
        bed_days = con.sql("SELECT occupied_bed_days FROM mart_trust_month WHERE trust_code"
                           " = 'RX2'").fetchone()  # fmt: skip
    assert [name for name, _ in relations] == bi_relations()
    assert sorted(n for n, kind in relations if kind == "VIEW") == sorted(published_views())
    row_level = {
        "patient_key",
        "incident_id",
        "intervention_id",
        "ward_stay_id",
        "source_row_number",
    }
    assert columns & row_level == set()
    assert people == [("ALL", None), ("RX2", None)] and bed_days == (31,)
    # Nothing row-level even in the file's free blocks: the pseudonym and the file name are in
    # the operators' full copy (so the search can find them) and not in the BI copy.
    assert PATIENT.encode() in full.read_bytes() and SUBMISSION.encode() in full.read_bytes()
    assert PATIENT.encode() not in target.read_bytes()
    assert SUBMISSION.encode() not in target.read_bytes()
    with duckdb.connect(str(full), read_only=True) as con:
        assert con.sql("SELECT patient_key FROM fct_ward_stay_month").fetchall() == [(PATIENT,)]


@pytest.mark.parametrize("engine", ["duckdb"], indirect=True)
def test_duckdb_bi_copy_opens_read_only_and_refuses_writes(wh: Warehouse, tmp_path: Path) -> None:
    _load_one(wh)
    target = wh.checkpoint_and_publish(tmp_path / "published" / "mhsip.duckdb")
    with duckdb.connect(str(target), read_only=True) as con:
        for statement in ["DELETE FROM mart_trust_month", "CREATE TABLE stolen (x INTEGER)"]:
            with pytest.raises(duckdb.InvalidInputException, match="read-only"):
                con.execute(statement)
    assert not (tmp_path / "operators").exists()  # no full copy unless asked for


# --- PostgreSQL: the BI role --------------------------------------------------------------------


@pytest.fixture
def bi_role(pg_url: str, warehouse_url: str) -> Iterator[str]:
    """A uniquely named role (roles are server-wide), dropped with its grants afterwards."""
    role = f"mhsip_bi_{uuid.uuid4().hex[:8]}"
    yield role
    drop_role(pg_url, role, warehouse_url)


def _as(warehouse_url: str, role: str) -> str:
    url = make_url(warehouse_url).set(drivername="postgresql", username=role, password=None)
    return url.render_as_string(hide_password=False)


def _refused(conn: psycopg.Connection, statement: str, read_write: bool) -> psycopg.Error:
    """Run `statement` in its own transaction (READ WRITE when asked); return the error."""
    with pytest.raises(psycopg.errors.Error) as caught, conn.transaction():
        if read_write:  # what a client may do: the read-only default is only a default
            conn.execute("SET TRANSACTION READ WRITE")
        conn.execute(statement)
    return caught.value


READS_REFUSED = [
    "SELECT * FROM fct_ward_stay_month",
    "SELECT * FROM fct_restrictive_intervention",
    "SELECT * FROM etl_submission",
    "SELECT * FROM etl_quarantine",
    "SELECT * FROM etl_mart_pending",
    "SELECT * FROM alembic_version",
]
WRITES_REFUSED = [
    "DELETE FROM mart_trust_month",
    "INSERT INTO dim_month (reporting_month) VALUES (DATE '2024-01-01')",
    "UPDATE dim_trust SET trust_name = 'x'",
    "CREATE TABLE stolen (x int)",
    "CREATE TEMP TABLE scratch (x int)",
    "CREATE VIEW sneaky AS SELECT 1",
]


@pytest.mark.postgres
@pytest.mark.parametrize("engine", ["postgres"], indirect=True)
def test_bi_role_reads_published_data_and_nothing_else(
    wh: Warehouse, warehouse_url: str, bi_role: str
) -> None:
    _load_one(wh)
    grant = grant_bi(warehouse_url, bi_role, password="not-a-real-secret", revoke_public_temp=True)
    again = grant_bi(warehouse_url, bi_role)  # idempotent, role kept; PUBLIC's TEMP stays revoked
    assert grant.relations == again.relations == bi_relations()
    assert grant.temp_allowed is False and again.temp_allowed is False
    with psycopg.connect(_as(warehouse_url, bi_role), autocommit=True) as conn:
        published = conn.execute("SELECT trust_code, people FROM pub_trust_month ORDER BY 1")
        assert published.fetchall() == [("ALL", None), ("RX2", None)]
        assert conn.execute("SELECT occupied_bed_days FROM mart_trust_month WHERE"
                            " trust_code = 'RX2'").fetchone() == (31,)  # fmt: skip
        assert conn.execute("SELECT COUNT(*) FROM dim_ethnicity").fetchone() == (0,)
        readable = conn.execute(
            "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
            " WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'v', 'm', 'p')"
            " AND has_table_privilege(c.oid, 'SELECT') ORDER BY 1"
        ).fetchall()
        assert [r for (r,) in readable] == bi_relations()  # the same list as the DuckDB copy
        assert conn.execute("SHOW default_transaction_read_only").fetchone() == ("on",)
        for statement in READS_REFUSED:
            error = _refused(conn, statement, read_write=False)
            assert isinstance(error, psycopg.errors.InsufficientPrivilege), statement
        for statement in WRITES_REFUSED:
            assert isinstance(
                _refused(conn, statement, read_write=False), psycopg.errors.ReadOnlySqlTransaction
            ), statement
            # In a READ WRITE transaction the privileges refuse it: no grant, no TEMP.
            error = _refused(conn, statement, read_write=True)
            assert isinstance(error, psycopg.errors.InsufficientPrivilege), statement


@pytest.mark.postgres
@pytest.mark.parametrize("engine", ["postgres"], indirect=True)
def test_without_revoking_from_public_the_role_keeps_temp_and_the_cli_says_so(
    wh: Warehouse, warehouse_url: str, bi_role: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """PUBLIC holds TEMP by default, so revoking it from the role alone is not enough: the grant
    reports it, and `mhsip db grant-bi --revoke-public-temp` closes it."""
    from mhsip.cli.app import app

    monkeypatch.setenv("MHSIP_WAREHOUSE_URL", warehouse_url)
    monkeypatch.setenv("MHSIP_BI_PASSWORD", "not-a-real-secret")
    runner = CliRunner()
    first = runner.invoke(app, ["db", "grant-bi", "--role", bi_role])
    assert first.exit_code == 0, first.output
    assert "--revoke-public-temp" in first.output and "temporary tables" in first.output
    bi = psycopg.connect(_as(warehouse_url, bi_role), autocommit=True)
    with bi as conn, conn.transaction():  # the gap the flag closes
        conn.execute("SET TRANSACTION READ WRITE")
        conn.execute("CREATE TEMP TABLE scratch (x int)")
    second = runner.invoke(app, ["db", "grant-bi", "--role", bi_role, "--revoke-public-temp"])
    assert second.exit_code == 0, second.output
    assert "cannot create temporary tables" in second.output
    with psycopg.connect(_as(warehouse_url, bi_role), autocommit=True) as conn:
        error = _refused(conn, "CREATE TEMP TABLE scratch (x int)", read_write=True)
        assert isinstance(error, psycopg.errors.InsufficientPrivilege)


@pytest.mark.postgres
@pytest.mark.parametrize("engine", ["postgres"], indirect=True)
def test_the_documented_connect_steps_close_the_servers_other_databases(
    wh: Warehouse, warehouse_url: str, bi_role: str, pg_url: str
) -> None:
    """docs/operations.md: REVOKE CONNECT ... FROM PUBLIC on another database, and the check
    query, as written there (with the test's names)."""
    import re

    from tests.warehouse.helpers import fresh_database

    doc = (Path(__file__).resolve().parents[2] / "docs" / "operations.md").read_text("utf-8")
    section = doc.split("### The BI role and the server's other databases", 1)[1]
    revoke, check = re.findall(r"```sql\n(.*?)```", section, flags=re.S)[:2]
    grant_bi(warehouse_url, bi_role, revoke_public_temp=True)
    with fresh_database(pg_url, prefix="mhsip_other") as (other, other_url):
        other_as_bi = _as(other_url, bi_role)
        with psycopg.connect(other_as_bi) as conn:  # PUBLIC's CONNECT lets it in
            assert conn.execute("SELECT current_user").fetchone() == (bi_role,)
        libpq = make_url(other_url).set(drivername="postgresql").render_as_string(False)
        with psycopg.connect(libpq, autocommit=True) as admin:
            for statement in revoke.replace("postgres", other).split(";"):
                if statement.strip() and "GRANT CONNECT" not in statement:
                    admin.execute(statement)
            rows = admin.execute(check.replace("mhsip_bi", bi_role)).fetchall()
        assert other not in [r for (r,) in rows]
        assert make_url(warehouse_url).database in [r for (r,) in rows]
        with pytest.raises(psycopg.OperationalError, match="permission denied"):
            psycopg.connect(other_as_bi).close()


@pytest.mark.parametrize("engine", ["duckdb"], indirect=True)
def test_a_failed_bi_copy_leaves_the_last_one_and_the_next_publish_works(
    wh: Warehouse, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from warehouse import bi_copy

    _load_one(wh)
    target = wh.checkpoint_and_publish(tmp_path / "published" / "mhsip.duckdb")
    before = target.read_bytes()
    broken = [*bi_copy.view_statements(), "CREATE VIEW broken AS SELECT * FROM no_such_table"]
    monkeypatch.setattr(bi_copy, "view_statements", lambda: broken)
    with pytest.raises(duckdb.CatalogException):
        wh.checkpoint_and_publish(target)
    assert target.read_bytes() == before
    assert [p.name for p in target.parent.iterdir()] == ["mhsip.duckdb"]  # no temporary left
    monkeypatch.undo()
    wh.checkpoint_and_publish(target)  # the failed copy was detached: the alias is free again
    with duckdb.connect(str(target), read_only=True) as con:
        assert con.sql("SELECT COUNT(*) FROM pub_trust_month").fetchone() == (2,)
