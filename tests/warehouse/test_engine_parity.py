"""The same facts loaded into DuckDB and PostgreSQL give identical marts and published views,
row for row and value for value (floats to 1e-9 relative)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

from tests.warehouse.helpers import MONTHS, TRUSTS, fresh_database, random_partitions
from warehouse.engine import open_warehouse
from warehouse.store import Warehouse


@pytest.fixture
def both(tmp_path: Path, pg_url: str, pg_template: str) -> Iterator[tuple[Warehouse, Warehouse]]:
    with (
        fresh_database(pg_url, template=pg_template) as (_, url),
        open_warehouse(str(tmp_path / "w.duckdb")) as duck,
        open_warehouse(url) as pg,
    ):
        yield duck, pg


def _rows(wh: Warehouse, table: str, keys: list[str]) -> pd.DataFrame:
    frame = wh.query(f"SELECT * FROM {table}").sort_values(keys, ignore_index=True)
    return frame.astype(dict.fromkeys(frame.select_dtypes("number").columns, "float64"))


MARTS = {
    "mart_trust_month": ["trust_code", "reporting_month"],
    "mart_equity_month": ["trust_code", "reporting_month", "dimension", "category"],
    "mart_spc": ["trust_code", "reporting_month", "measure"],
    "pub_trust_month": ["trust_code", "reporting_month"],
    "pub_equity_month": ["trust_code", "reporting_month", "dimension", "category"],
    "mart_funnel": ["period", "level", "trust_code", "ward_code", "measure"],
    "pub_funnel": ["period", "level", "trust_code", "ward_code", "measure"],
}


@pytest.mark.postgres
def test_marts_and_views_are_identical_on_both_engines(both: tuple[Warehouse, Warehouse]) -> None:
    loads = random_partitions()
    for wh in both:
        for load in loads:
            wh.replace_partition(load)
        wh.refresh_marts(None)
    duck, pg = both
    for table, keys in MARTS.items():
        left, right = _rows(duck, table, keys), _rows(pg, table, keys)
        assert len(left) > 0, table
        pd.testing.assert_frame_equal(left, right, check_dtype=False, rtol=1e-9, obj=table)
    counts = duck.table_counts()
    assert counts == pg.table_counts()
    assert counts["mart_trust_month"] == len(TRUSTS) * len(MONTHS) + len(MONTHS)
