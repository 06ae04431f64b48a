"""BI access: the PostgreSQL read-only role, and DuckDB's read-only published copy."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import duckdb
import psycopg
import pytest
from sqlalchemy.engine import make_url

from tests.warehouse.helpers import drop_role, loaded, stay, ws_frame
from warehouse.access import bi_relations, grant_bi
from warehouse.partition_load import PartitionLoad
from warehouse.store import Warehouse

JAN = date(2024, 1, 1)


def _load_one(wh: Warehouse) -> None:
    stays = ws_frame([stay("RX2", JAN, "S1", 31)])
    wh.replace_partition(PartitionLoad("RX2", JAN, [loaded("ward_stays", "s1", stays)]))
    wh.refresh_marts(None)


def test_bi_relations_are_published_views_marts_and_dimensions_only() -> None:
    assert bi_relations() == [
        "dim_collaborative", "dim_ethnicity", "dim_intervention_type", "dim_month", "dim_trust",
        "dim_ward", "mart_equity_month", "mart_spc", "mart_trust_month", "pub_equity_month",
        "pub_trust_month",
    ]  # fmt: skip


def test_grant_bi_refuses_duckdb_with_the_reason(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="published read-only copy"):
        grant_bi(str(tmp_path / "w.duckdb"))


@pytest.fixture
def bi_role(pg_url: str, warehouse_url: str) -> Iterator[str]:
    """A uniquely named role (roles are server-wide), dropped with its grants afterwards."""
    role = f"mhsip_bi_{uuid.uuid4().hex[:8]}"
    yield role
    drop_role(pg_url, role, warehouse_url)


@pytest.mark.postgres
@pytest.mark.parametrize("engine", ["postgres"], indirect=True)
def test_bi_role_reads_published_data_and_nothing_else(
    wh: Warehouse, warehouse_url: str, bi_role: str
) -> None:
    _load_one(wh)
    granted = grant_bi(warehouse_url, bi_role, password="not-a-real-secret")
    assert grant_bi(warehouse_url, bi_role) == granted  # idempotent, role kept
    as_bi = make_url(warehouse_url).set(drivername="postgresql", username=bi_role, password=None)
    with psycopg.connect(as_bi.render_as_string(hide_password=False), autocommit=True) as conn:
        published = conn.execute("SELECT trust_code, people FROM pub_trust_month ORDER BY 1")
        assert published.fetchall() == [("ALL", None), ("RX2", None)]
        assert conn.execute("SELECT occupied_bed_days FROM mart_trust_month WHERE"
                            " trust_code = 'RX2'").fetchone() == (31,)  # fmt: skip
        assert conn.execute("SELECT COUNT(*) FROM dim_ethnicity").fetchone() == (0,)
        refused = [
            "SELECT * FROM fct_ward_stay_month",
            "SELECT * FROM fct_restrictive_intervention",
            "SELECT * FROM etl_submission",
            "SELECT * FROM etl_quarantine",
            "SELECT * FROM alembic_version",
            "DELETE FROM mart_trust_month",
            "INSERT INTO dim_month (reporting_month) VALUES (DATE '2024-01-01')",
            "CREATE TABLE stolen (x int)",
            "CREATE TEMP TABLE scratch (x int)",
        ]
        for statement in refused:
            with pytest.raises(psycopg.errors.Error) as caught:
                conn.execute(statement)
            assert isinstance(
                caught.value,
                psycopg.errors.InsufficientPrivilege | psycopg.errors.ReadOnlySqlTransaction,
            ), statement


@pytest.mark.parametrize("engine", ["duckdb"], indirect=True)
def test_duckdb_published_copy_opens_read_only_and_refuses_writes(
    wh: Warehouse, tmp_path: Path
) -> None:
    _load_one(wh)
    target = tmp_path / "published" / "mhsip.duckdb"
    wh.checkpoint_and_publish(target)
    con = duckdb.connect(str(target), read_only=True)
    try:
        assert con.sql("SELECT trust_code, people FROM pub_trust_month ORDER BY 1").fetchall() == [
            ("ALL", None), ("RX2", None)]  # fmt: skip
        for statement in ["DELETE FROM mart_trust_month", "CREATE TABLE stolen (x INTEGER)"]:
            with pytest.raises(duckdb.InvalidInputException, match="read-only"):
                con.execute(statement)
    finally:
        con.close()
