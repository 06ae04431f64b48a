"""Schema creation from the metadata, and the generated data dictionary."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from warehouse.dictionary import DICTIONARY_PATH, render_data_dictionary, undocumented
from warehouse.engine import open_warehouse
from warehouse.schema import METADATA, column_names, fct_restrictive_intervention

TABLES = {
    "dim_trust", "dim_ward", "dim_intervention_type", "dim_ethnicity", "dim_month",
    "dim_collaborative",
    "fct_restrictive_intervention", "fct_ward_stay_month", "etl_submission", "etl_quarantine",
    "etl_mart_pending", "etl_key_check",
    "etl_archive_access",
    "mart_trust_month", "mart_equity_month", "mart_spc", "mart_ward_month", "dim_change",
    "mart_data_quality", "mart_data_quality_score", "etl_resubmission_change", "etl_mart_source",
    "mart_funnel",
}  # fmt: skip


def test_schema_creation_is_idempotent_and_keeps_data(tmp_path: Path) -> None:
    path = tmp_path / "new" / "folder" / "w.duckdb"
    with open_warehouse(f"duckdb:///{path}") as wh:
        wh.query("INSERT INTO dim_month (reporting_month) VALUES (DATE '2024-01-01')")
    with open_warehouse(str(path)) as wh:
        counts = wh.table_counts()
    assert set(counts) == TABLES
    assert counts["dim_month"] == 1


def test_every_table_and_column_carries_its_comment_in_duckdb(tmp_path: Path) -> None:
    path = tmp_path / "w.duckdb"
    open_warehouse(str(path)).close()
    con = duckdb.connect(str(path), read_only=True)
    tables = dict(con.sql("SELECT table_name, comment FROM duckdb_tables()").fetchall())
    blank = con.sql("SELECT table_name, column_name FROM duckdb_columns() WHERE comment IS NULL"
                    " AND NOT internal").fetchall()  # fmt: skip
    con.close()
    assert set(tables) == TABLES | {"alembic_version"}
    assert all(c.startswith(("One row per", "One row:")) for c in tables.values())
    assert blank == []


def test_fact_columns_are_the_standardise_contract() -> None:
    assert column_names(fct_restrictive_intervention)[:6] == [
        "trust_code", "reporting_month", "incident_id", "intervention_id", "patient_key",
        "ward_code"]  # fmt: skip
    assert len(column_names(fct_restrictive_intervention)) == 34


def test_no_table_or_column_lacks_a_description() -> None:
    assert undocumented(METADATA) == []


def test_undocumented_finds_a_missing_comment() -> None:
    import sqlalchemy as sa

    md = sa.MetaData()
    sa.Table("t", md, sa.Column("a", sa.Text, comment="fine"), sa.Column("b", sa.Text),
             comment="no grain here")  # fmt: skip
    assert undocumented(md) == ["t", "t.b"]


def test_data_dictionary_is_up_to_date() -> None:
    rendered = render_data_dictionary(METADATA)
    assert DICTIONARY_PATH.read_text(encoding="utf-8") == rendered, (
        "docs/data-dictionary.md is stale: run `python -m warehouse.dictionary`"
    )
    assert "| `patient_key` | TEXT |  | pseudonym: keyed HMAC-SHA256" in rendered


def test_data_dictionary_lists_every_published_view_column_by_column() -> None:
    from warehouse.marts.published_views import published_views, view_columns

    rendered = DICTIONARY_PATH.read_text(encoding="utf-8")
    for view in published_views():
        assert f"- [`{view}`](#{view}-view) (view)" in rendered
        section = rendered.split(f"## `{view}` (view)", 1)[1].split("\n## ", 1)[0]
        rows = [line.split(" | ")[0] for line in section.splitlines() if line.startswith("| `")]
        assert rows == [f"| `{column}`" for column, _, _ in view_columns(view)], view
    assert (
        "| `people` | NULL when `people IS NULL OR people < 5`; else to the nearest 5 |"
    ) in rendered
    assert "`interventions_per_1000_obd` | NULL when `interventions_per_1000_obd IS NULL OR" in (
        rendered
    )


def test_undocumented_covers_the_published_views(monkeypatch: pytest.MonkeyPatch) -> None:
    from warehouse.marts import published_views as pub

    assert undocumented(METADATA) == []
    monkeypatch.setitem(pub.DESCRIPTIONS, "pub_trust_month", "no grain")
    assert undocumented(METADATA) == ["pub_trust_month"]
