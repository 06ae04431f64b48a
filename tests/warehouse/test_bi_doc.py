"""docs/bi.md stays true: its example queries run as BI connects (DuckDB published copy through
the documented read-only SQLAlchemy URL; PostgreSQL as the BI role), and SQLAlchemy's inspector
reflects tables, views and their comments on both engines, as BI tools do."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from tests.warehouse.helpers import drop_role, random_partitions
from warehouse.access import grant_bi
from warehouse.marts.published_views import DESCRIPTIONS
from warehouse.schema import mart_trust_month
from warehouse.store import Warehouse

BI_DOC = Path(__file__).resolve().parents[2] / "docs" / "bi.md"


def doc_queries() -> list[str]:
    """Every ```sql block of docs/bi.md."""
    return re.findall(r"```sql\n(.*?)```", BI_DOC.read_text(encoding="utf-8"), flags=re.S)


@pytest.fixture
def bi_url(wh: Warehouse, engine: str, warehouse_url: str, tmp_path: Path,
           request: pytest.FixtureRequest) -> Iterator[str]:  # fmt: skip
    """A loaded warehouse, and the SQLAlchemy URL a BI tool would use to read it."""
    for load in random_partitions():
        wh.replace_partition(load)
    wh.refresh_dimensions(request.getfixturevalue("registry"))
    wh.refresh_marts(None)
    if engine == "duckdb":
        published = wh.checkpoint_and_publish(tmp_path / "published" / "mhsip.duckdb")
        yield f"duckdb:///{published}?access_mode=read_only"
        return
    role = f"mhsip_bi_{uuid.uuid4().hex[:8]}"
    grant_bi(warehouse_url, role)
    try:
        yield make_url(warehouse_url).set(username=role).render_as_string(hide_password=False)
    finally:
        drop_role(request.getfixturevalue("pg_url"), role, warehouse_url)


def test_the_doc_has_example_queries() -> None:
    assert len(doc_queries()) == 4


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


def test_inspector_reflects_tables_views_and_comments(bi_url: str) -> None:
    engine = sa.create_engine(bi_url, poolclass=sa.NullPool)
    try:
        with engine.connect() as connection:
            inspector = sa.inspect(connection)
            views = set(inspector.get_view_names())
            tables = set(inspector.get_table_names())
            table_comment = inspector.get_table_comment("mart_trust_month")["text"]
            view_comment = inspector.get_table_comment("pub_trust_month")["text"]
            columns = {
                c["name"]: c.get("comment") for c in inspector.get_columns("pub_trust_month")
            }
    finally:
        engine.dispose()
    assert views == {"pub_trust_month", "pub_equity_month"}
    assert {"mart_trust_month", "dim_trust", "fct_ward_stay_month"} <= tables
    assert table_comment == mart_trust_month.comment
    assert view_comment == DESCRIPTIONS["pub_trust_month"]
    assert columns["people"] == (
        f"{mart_trust_month.c.people.comment} (published: NULL under 5, else to the nearest 5)"
    )
    assert all(columns.values())
