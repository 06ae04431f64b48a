"""docs/bi.md stays true in the pipeline's own stack (SQLAlchemy 2; duckdb-engine; psycopg 3):
its example queries run through the doc's DuckDB URI on the BI copy and as the PostgreSQL BI
role, and SQLAlchemy's inspector reflects tables, views and their comments on both engines, as
BI tools do. The Superset stack (SQLAlchemy 1.4, psycopg2) is `test_bi_clients.py`."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from tests.warehouse.bi_doc import Target, doc_queries, doc_uris
from tests.warehouse.helpers import drop_role, random_partitions
from warehouse.access import grant_bi
from warehouse.bi_copy import bi_tables
from warehouse.marts.published_views import DESCRIPTIONS, published_views
from warehouse.schema import mart_trust_month
from warehouse.store import Warehouse


@pytest.fixture
def bi_url(wh: Warehouse, engine: str, warehouse_url: str, tmp_path: Path,
           request: pytest.FixtureRequest) -> Iterator[str]:  # fmt: skip
    """A loaded warehouse, and the doc's SQLAlchemy URI for it (DuckDB, or psycopg 3)."""
    for load in random_partitions():
        wh.replace_partition(load)
    wh.refresh_dimensions(request.getfixturevalue("registry"))
    wh.refresh_marts(None)
    (duck,) = [u for u in doc_uris() if u.startswith("duckdb")]
    (pg,) = [u for u in doc_uris() if u.startswith("postgresql+psycopg")]
    if engine == "duckdb":
        wh.checkpoint_and_publish(tmp_path / "published" / "mhsip.duckdb")
        yield Target(tmp_path, "", 0, "", "", "").localise(duck)
        return
    role, password = f"mhsip_bi_{uuid.uuid4().hex[:8]}", "not-a-real-secret"
    grant_bi(warehouse_url, role, password)
    server = make_url(warehouse_url)
    target = Target(tmp_path, server.host or "", server.port or 5432, server.database or "",
                    role, password)  # fmt: skip
    try:
        yield target.localise(pg)
    finally:
        drop_role(request.getfixturevalue("pg_url"), role, warehouse_url)


def test_the_doc_has_example_queries() -> None:
    assert len(doc_queries()) == 11


def test_doc_queries_run_as_bi_connects(bi_url: str) -> None:
    engine = sa.create_engine(bi_url, poolclass=sa.NullPool)
    try:
        with engine.connect() as connection:
            for query in doc_queries():
                rows = connection.execute(sa.text(query)).fetchall()
                assert rows, query
            with pytest.raises(sa.exc.DBAPIError):  # and BI cannot write
                connection.execute(sa.text("DELETE FROM dim_month"))
    finally:
        engine.dispose()


def test_inspector_reflects_tables_views_and_comments(bi_url: str, engine: str) -> None:
    sa_engine = sa.create_engine(bi_url, poolclass=sa.NullPool)
    try:
        with sa_engine.connect() as connection:
            inspector = sa.inspect(connection)
            views = set(inspector.get_view_names())
            tables = set(inspector.get_table_names())
            table_comment = inspector.get_table_comment("mart_trust_month")["text"]
            view_comment = inspector.get_table_comment("pub_trust_month")["text"]
            columns = {
                c["name"]: c.get("comment") for c in inspector.get_columns("pub_trust_month")
            }
    finally:
        sa_engine.dispose()
    assert views == set(published_views())
    bi = {t.name for t in bi_tables()}
    if engine == "duckdb":  # the BI copy holds nothing else
        assert tables == bi
    else:  # PostgreSQL lists every table's name; the role reads only these (test_access.py)
        assert bi < tables
    assert table_comment == mart_trust_month.comment
    assert view_comment == DESCRIPTIONS["pub_trust_month"]
    assert columns["people"] == (
        f"{mart_trust_month.c.people.comment} (published: NULL under 5, else to the nearest 5)"
    )
    assert all(columns.values())
