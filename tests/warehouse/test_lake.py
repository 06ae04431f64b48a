"""Lake partitions appear only complete, at a validated path."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from warehouse import lake
from warehouse.lake import read_lake, write_lake_partition

JAN = date(2024, 1, 1)


def test_writes_the_hive_layout_and_replaces_it(tmp_path: Path) -> None:
    root = str(tmp_path / "lake")
    first = pd.DataFrame({"trust_code": ["RX2"] * 3, "n": [1, 2, 3]})
    path = write_lake_partition(root, "fct_ward_stay_month", "RX2", JAN, first)
    assert (
        path == f"{root}/fct_ward_stay_month/trust_code=RX2/reporting_month=2024-01/part-0.parquet"
    )
    write_lake_partition(root, "fct_ward_stay_month", "RX2", JAN, first.iloc[:1])
    write_lake_partition(root, "fct_ward_stay_month", "RNU", JAN, first.assign(trust_code="RNU"))

    glob = read_lake(root, "fct_ward_stay_month")
    rows = duckdb.sql(
        f"SELECT trust_code, SUM(n) FROM read_parquet('{glob}') GROUP BY 1 ORDER BY 1"
    )
    assert rows.fetchall() == [("RNU", 6), ("RX2", 1)]
    assert sorted(p.name for p in Path(path).parent.iterdir()) == ["part-0.parquet"]


def test_a_failed_write_leaves_the_previous_file_and_no_temporary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = str(tmp_path / "lake")
    good = pd.DataFrame({"n": [1, 2]})
    path = Path(write_lake_partition(root, "t", "RX2", JAN, good))
    before = path.read_bytes()

    class CrashError(RuntimeError):
        pass

    def crash_on_rename(self: object, *args: object, **kwargs: object) -> None:
        raise CrashError("killed between write and rename")

    monkeypatch.setattr("fsspec.implementations.local.LocalFileSystem.mv", crash_on_rename)
    with pytest.raises(CrashError):
        write_lake_partition(root, "t", "RX2", JAN, pd.DataFrame({"n": [9] * 1000}))
    assert path.read_bytes() == before
    assert [p.name for p in path.parent.iterdir()] == ["part-0.parquet"]


@pytest.mark.parametrize("trust", ["../etc", "rx2", "RX2/..", "", "TOOLONG1"])
def test_rejects_trust_codes_that_are_not_ods_codes(tmp_path: Path, trust: str) -> None:
    with pytest.raises(ValueError, match="ODS code"):
        write_lake_partition(str(tmp_path), "t", trust, JAN, pd.DataFrame({"n": [1]}))
    assert list(tmp_path.iterdir()) == []


def test_rejects_table_names_that_are_not_identifiers(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="identifier"):
        lake.partition_path(str(tmp_path), "../x", "RX2", JAN)
