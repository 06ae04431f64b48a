"""Publishing leaves the DuckDB copies alone when they already hold the live warehouse, and writes
them again on any change to what they were made from (`warehouse.publish_record`)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import pytest

from tests.warehouse.helpers import loaded, stay, ws_frame
from warehouse.partition_load import PartitionLoad
from warehouse.store import Warehouse

pytestmark = pytest.mark.parametrize("engine", ["duckdb"], indirect=True)
JAN, FEB = date(2024, 1, 1), date(2024, 2, 1)
BED_DAYS = "SELECT SUM(occupied_bed_days) FROM mart_trust_month WHERE trust_code = 'RX2'"


def _load(wh: Warehouse, month: date, days: int, name: str) -> None:
    stays = ws_frame([stay("RX2", month, "S1", days)])
    wh.replace_partition(PartitionLoad("RX2", month, [loaded("ward_stays", name, stays)]))
    wh.refresh_marts(None)


def _identity(path: Path) -> tuple[int, int]:
    found = path.stat()
    return found.st_ino, found.st_mtime_ns


def _bed_days(path: Path) -> object:
    with duckdb.connect(str(path), read_only=True) as con:
        row = con.sql(BED_DAYS).fetchone()
    return None if row is None else row[0]


@pytest.fixture
def copies(tmp_path: Path) -> tuple[Path, Path]:
    return tmp_path / "published" / "mhsip.duckdb", tmp_path / "operators" / "full.duckdb"


def test_nothing_changed_leaves_both_copies_as_they_are(
    wh: Warehouse, copies: tuple[Path, Path]
) -> None:
    target, full = copies
    _load(wh, JAN, 10, "a")
    wh.checkpoint_and_publish(target, full)
    before = _identity(target), _identity(full), target.read_bytes(), full.read_bytes()
    assert wh.checkpoint_and_publish(target, full) == target
    assert (_identity(target), _identity(full), target.read_bytes(), full.read_bytes()) == before
    assert _bed_days(target) == 10


def test_a_write_to_the_warehouse_publishes_both_again(
    wh: Warehouse, copies: tuple[Path, Path]
) -> None:
    target, full = copies
    _load(wh, JAN, 10, "a")
    wh.checkpoint_and_publish(target, full)
    before = _identity(target), _identity(full)
    _load(wh, FEB, 7, "b")
    wh.checkpoint_and_publish(target, full)
    assert _identity(target) != before[0] and _identity(full) != before[1]
    assert _bed_days(target) == _bed_days(full) == 17


def test_a_copy_removed_or_replaced_by_hand_is_written_again(
    wh: Warehouse, copies: tuple[Path, Path]
) -> None:
    target, full = copies
    _load(wh, JAN, 10, "a")
    wh.checkpoint_and_publish(target, full)
    target.unlink()
    wh.checkpoint_and_publish(target, full)
    assert _bed_days(target) == 10
    stale = full.read_bytes()
    full.write_bytes(b"not a warehouse")
    wh.checkpoint_and_publish(target, full)
    assert full.read_bytes() == stale  # the live file unchanged: the same bytes as before


def test_a_change_to_what_the_bi_copy_holds_publishes_it_again(
    wh: Warehouse, copies: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    from warehouse import bi_copy

    target, full = copies
    _load(wh, JAN, 10, "a")
    wh.checkpoint_and_publish(target, full)
    added = [*bi_copy.view_statements(), "CREATE VIEW pub_added AS SELECT 1 AS one"]
    monkeypatch.setattr(bi_copy, "view_statements", lambda: added)
    wh.checkpoint_and_publish(target, full)
    with duckdb.connect(str(target), read_only=True) as con:
        assert con.sql("SELECT one FROM pub_added").fetchone() == (1,)


def test_a_half_written_record_publishes_again(wh: Warehouse, copies: tuple[Path, Path]) -> None:
    target, full = copies
    _load(wh, JAN, 10, "a")
    wh.checkpoint_and_publish(target, full)
    record = next(Path(wh.path).parent.glob("*.published.json"))  # type: ignore[attr-defined]
    record.write_text(record.read_text()[:20])
    before = _identity(target)
    wh.checkpoint_and_publish(target, full)
    assert _identity(target) != before
    assert "RX2" not in record.read_text()  # paths and file identities, nothing from the rows
