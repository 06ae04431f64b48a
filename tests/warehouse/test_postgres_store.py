"""PostgreSQL engine primitives: placeholders, the advisory writer lock, and type round-trips
(the round-trip test runs on both engines with the same assertions)."""

from __future__ import annotations

import time
from datetime import UTC, date, datetime

import pandas as pd
import pytest

from tests.warehouse.helpers import intervention, loaded, ri_frame
from warehouse.engine import open_warehouse
from warehouse.partition_load import PartitionLoad
from warehouse.postgres_store import safe_url, to_pyformat
from warehouse.store import Warehouse, WarehouseBusy

JAN = date(2024, 1, 1)


@pytest.mark.parametrize(
    ("qmark", "pyformat"),
    [
        ("SELECT * FROM t WHERE a = ? AND b IN (?, ?)",
         "SELECT * FROM t WHERE a = %s AND b IN (%s, %s)"),
        ("SELECT '?' AS q, \"odd?\" FROM t WHERE x = ?",
         "SELECT '?' AS q, \"odd?\" FROM t WHERE x = %s"),
        ("SELECT 'it''s ?', ? ", "SELECT 'it''s ?', %s "),
        ("SELECT 5 % 2, '100%' WHERE x LIKE 'a%'", "SELECT 5 %% 2, '100%%' WHERE x LIKE 'a%%'"),
    ],
)  # fmt: skip
def test_qmark_placeholders_become_pyformat(qmark: str, pyformat: str) -> None:
    assert to_pyformat(qmark) == pyformat


def test_safe_url_hides_the_password() -> None:
    assert safe_url("postgresql://bi:s3cret@db:5432/w") == "postgresql+psycopg://bi:***@db:5432/w"


@pytest.mark.postgres
@pytest.mark.parametrize("engine", ["postgres"], indirect=True)
def test_second_writer_waits_then_gets_warehouse_busy(wh: Warehouse, warehouse_url: str) -> None:
    started = time.monotonic()
    with pytest.raises(WarehouseBusy) as caught:
        open_warehouse(warehouse_url, lock_timeout_seconds=0.5)
    assert 0.5 <= time.monotonic() - started < 5
    assert "MHSIP_LOCK_TIMEOUT_SECONDS" in str(caught.value) and "\n" not in str(caught.value)
    wh.close()  # releasing the lock lets the next writer in
    open_warehouse(warehouse_url, lock_timeout_seconds=5).close()


def test_types_round_trip(wh: Warehouse) -> None:
    start = datetime(2024, 1, 31, 23, 30, tzinfo=UTC)
    rows = [
        intervention("RX2", JAN, "I1", start_at=start, end_at=None, duration_minutes=float("nan"),
                     injury_other=None, imd_decile=None, age_years=None, lsoa=None),
        intervention("RX2", JAN, "I2", injury_other=True, imd_decile=3, age_years=17,
                     duration_minutes=12.5),
    ]  # fmt: skip
    wh.replace_partition(PartitionLoad("RX2", JAN, [loaded("restrictive_interventions", "s",
                                                           ri_frame(rows))]))  # fmt: skip
    got = wh.query(
        "SELECT incident_id, reporting_month, start_at, end_at, duration_minutes, injury_other,"
        " imd_decile, age_years, lsoa, duration_minutes IS NULL AS duration_is_null"
        " FROM fct_restrictive_intervention ORDER BY incident_id"
    )
    assert str(got["reporting_month"].dtype) == "datetime64[us]"
    assert str(got["start_at"].dtype) == "datetime64[us, UTC]"
    assert str(got["injury_other"].dtype) == "boolean"
    assert str(got["imd_decile"].dtype) == "Int32"
    assert str(got["duration_minutes"].dtype) == "float64"
    first, second = got.iloc[0], got.iloc[1]
    assert first["start_at"] == pd.Timestamp("2024-01-31 23:30", tz="UTC")
    assert pd.isna(first["end_at"]) and first["reporting_month"] == pd.Timestamp(JAN)
    assert bool(first["duration_is_null"])  # NaN was stored as NULL, not NaN
    assert pd.isna(first["injury_other"]) and pd.isna(first["imd_decile"])
    assert pd.isna(first["age_years"]) and pd.isna(first["lsoa"])
    assert (bool(second["injury_other"]), int(second["imd_decile"])) == (True, 3)
    assert (int(second["age_years"]), second["duration_minutes"]) == (17, 12.5)
    assert not bool(second["duration_is_null"])
