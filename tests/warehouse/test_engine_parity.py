"""The same facts loaded into DuckDB and PostgreSQL give identical marts and published views,
row for row and value for value (floats to 1e-9 relative)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tests.warehouse.factories import FAMILY, intervention, loaded, ri_frame, stay, ws_frame
from tests.warehouse.pg import fresh_database
from warehouse.loads import PartitionLoad
from warehouse.store import Warehouse

MONTHS = [date(2024, m, 1) for m in (1, 2, 3)]
TRUSTS = ["RX2", "RNU", "RWX"]
ETHNICITY = [("A", "White"), ("M", "Black or Black British"), ("H", "Asian or Asian British"),
             ("Z", "Not Stated")]  # fmt: skip
BANDS = [(15, "Under 18"), (20, "18-24"), (40, "35-44"), (70, "65 and over")]


def _person(rng: np.random.Generator) -> dict:
    code, group = ETHNICITY[rng.integers(len(ETHNICITY))]
    age, band = BANDS[rng.integers(len(BANDS))]
    decile = rng.integers(0, 11)
    return {"ethnic_category_code": code, "ethnic_group": group, "age_years": age,
            "age_band": band, "gender_code": str(rng.choice(["1", "2", "X"])),
            "imd_decile": None if decile == 0 else int(decile),
            "lda_flag": [True, False, None][rng.integers(3)]}  # fmt: skip


def _partitions() -> list[PartitionLoad]:
    rng = np.random.default_rng(20240101)
    loads = []
    for trust in TRUSTS:
        for month in MONTHS:
            people = {f"p{i}": _person(rng) for i in range(12)}
            stays = [stay(trust, month, f"S{p}", int(rng.integers(1, 32)), p, **person)
                     for p, person in people.items()]  # fmt: skip
            ri = []
            for n in range(int(rng.integers(0, 25))):
                patient = f"p{rng.integers(12)}"
                type_code = str(rng.choice(list(FAMILY)))
                ri.append(intervention(trust, month, f"I{n // 2}", str(n % 2 + 1), patient,
                                       type_code, **people[patient]))  # fmt: skip
            tag = f"{trust}-{month:%Y-%m}"
            loads.append(PartitionLoad(trust, month, [
                loaded("restrictive_interventions", f"{tag}-ri", ri_frame(ri)),
                loaded("ward_stays", f"{tag}-ws", ws_frame(stays)),
            ]))  # fmt: skip
    return loads


@pytest.fixture
def both(tmp_path: Path, pg_url: str, pg_template: str) -> Iterator[tuple[Warehouse, Warehouse]]:
    with (
        fresh_database(pg_url, template=pg_template) as (_, url),
        Warehouse.open(str(tmp_path / "w.duckdb")) as duck,
        Warehouse.open(url) as pg,
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
}


@pytest.mark.postgres
def test_marts_and_views_are_identical_on_both_engines(both: tuple[Warehouse, Warehouse]) -> None:
    loads = _partitions()
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
