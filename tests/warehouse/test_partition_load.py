"""replace_partition: one trust-month, one transaction, resubmissions and rejections."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime

import duckdb
import pandas as pd
import psycopg
import pytest

from tests.warehouse.helpers import (
    intervention,
    loaded,
    rejected,
    ri_frame,
    snapshot,
    stay,
    ws_frame,
)
from warehouse.partition_load import PartitionLoad
from warehouse.store import Warehouse

JAN, FEB = date(2024, 1, 1), date(2024, 2, 1)
RI, WS = "restrictive_interventions", "ward_stays"


def _ri(trust: str, month: date, n: int, prefix: str = "I") -> pd.DataFrame:
    return ri_frame([intervention(trust, month, f"{prefix}{i}") for i in range(n)])


def _load(wh: Warehouse, trust: str, month: date, *outcomes: object) -> None:
    wh.replace_partition(PartitionLoad(trust, month, list(outcomes)))  # type: ignore[arg-type]


def _facts_by_partition(wh: Warehouse) -> dict[tuple[str, str], tuple[int, str]]:
    frame = wh.query(
        "SELECT trust_code, reporting_month AS m, COUNT(*) AS n, MIN(submission_id) AS sid"
        " FROM fct_restrictive_intervention GROUP BY trust_code, reporting_month"
    )
    return {(r.trust_code, f"{r.m:%Y-%m}"): (int(r.n), r.sid) for r in frame.itertuples()}


def _statuses(wh: Warehouse) -> dict[str, str]:
    frame = wh.query("SELECT submission_id, status FROM etl_submission")
    return dict(zip(frame["submission_id"], frame["status"], strict=True))


def test_replaces_exactly_one_trust_month(wh: Warehouse) -> None:
    _load(wh, "RX2", JAN, loaded(RI, "RX2-jan-a", _ri("RX2", JAN, 3)))
    _load(wh, "RX2", FEB, loaded(RI, "RX2-feb-a", _ri("RX2", FEB, 2)))
    _load(wh, "RNU", JAN, loaded(RI, "RNU-jan-a", _ri("RNU", JAN, 4)))

    _load(wh, "RX2", JAN, loaded(RI, "RX2-jan-b", _ri("RX2", JAN, 5, "J")))

    assert _facts_by_partition(wh) == {
        ("RX2", "2024-01"): (5, "RX2-jan-b"),
        ("RX2", "2024-02"): (2, "RX2-feb-a"),
        ("RNU", "2024-01"): (4, "RNU-jan-a"),
    }


def test_resubmission_supersedes_the_earlier_version(wh: Warehouse) -> None:
    _load(wh, "RX2", JAN, loaded(RI, "RX2-jan-a", _ri("RX2", JAN, 3)))
    _load(wh, "RX2", JAN, loaded(RI, "RX2-jan-b", _ri("RX2", JAN, 1)))

    assert _statuses(wh) == {"RX2-jan-a": "superseded", "RX2-jan-b": "loaded"}
    assert _facts_by_partition(wh) == {("RX2", "2024-01"): (1, "RX2-jan-b")}


def test_rejected_file_keeps_the_previous_loaded_version(wh: Warehouse) -> None:
    _load(wh, "RX2", JAN, loaded(RI, "RX2-jan-a", _ri("RX2", JAN, 3)))
    _load(wh, "RX2", JAN, rejected(RI, "RX2-jan-c", rows=1))

    assert _statuses(wh) == {"RX2-jan-a": "loaded", "RX2-jan-c": "rejected"}
    assert _facts_by_partition(wh) == {("RX2", "2024-01"): (3, "RX2-jan-a")}
    row = wh.query("SELECT * FROM etl_submission WHERE submission_id = 'RX2-jan-c'").iloc[0]
    assert (row["rejection_rule"], row["rows_received"], row["rows_loaded"]) == (
        "implausible_row_count", 1, 0)  # fmt: skip
    latest = wh.latest_submissions()
    assert latest[["submission_id", "status"]].values.tolist() == [["RX2-jan-c", "rejected"]]


@pytest.mark.parametrize("breakage", ["missing column", "bad value", "wrong partition"])
def test_error_mid_transaction_leaves_everything_as_before(wh: Warehouse, breakage: str) -> None:
    _load(wh, "RX2", JAN, loaded(RI, "RX2-jan-a", _ri("RX2", JAN, 3)),
          loaded(WS, "RX2-jan-ws-a", ws_frame([stay("RX2", JAN, "S1", 31)])))  # fmt: skip
    before = {t: snapshot(wh, t) for t in wh.table_counts()}
    bad = _ri("RX2", JAN, 2, "K")
    if breakage == "missing column":
        bad = bad.drop(columns=["lsoa"])
    elif breakage == "bad value":
        bad["age_years"] = "forty"
    else:
        bad["trust_code"] = "RNU"
    good_ws = loaded(WS, "RX2-jan-ws-b", ws_frame([stay("RX2", JAN, "S9", 5)]))

    with pytest.raises((ValueError, duckdb.Error, psycopg.Error)):
        _load(wh, "RX2", JAN, good_ws, loaded(RI, "RX2-jan-b", bad))

    for table, frame in before.items():
        pd.testing.assert_frame_equal(snapshot(wh, table), frame)


def test_quarantine_rows_are_replaced_per_submission(wh: Warehouse) -> None:
    quarantine = pd.DataFrame(
        {"source_row_number": [4, 4, 9], "rule": ["missing_ward_code", "bad_ethnicity", "x"],
         "detail": ["ward code is blank", "ethnic category 'Q'", "x"]}
    )  # fmt: skip
    _load(wh, "RX2", JAN, loaded(RI, "RX2-jan-a", _ri("RX2", JAN, 3), 2, quarantine))
    _load(wh, "RX2", JAN, loaded(RI, "RX2-jan-a", _ri("RX2", JAN, 3), 1, quarantine.iloc[:1]))

    rows = wh.query("SELECT submission_id, source_row_number, rule FROM etl_quarantine")
    assert rows.values.tolist() == [["RX2-jan-a", 4, "missing_ward_code"]]
    assert wh.table_counts()["etl_submission"] == 1


def test_reconciliation_flags_only_submissions_that_do_not_add_up(wh: Warehouse) -> None:
    _load(wh, "RX2", JAN, loaded(RI, "RX2-jan-a", _ri("RX2", JAN, 3), 1,
                                 pd.DataFrame({"source_row_number": [5], "rule": ["r"],
                                               "detail": ["d"]})))  # fmt: skip
    _load(wh, "RX2", FEB, rejected(RI, "RX2-feb-r", rows=7))
    assert wh.unreconciled_submissions().empty

    leaky = loaded(RI, "RX2-mar-x", _ri("RX2", date(2024, 3, 1), 2))
    leaky = type(leaky)(**{**leaky.__dict__, "rows_received": 10})
    _load(wh, "RX2", date(2024, 3, 1), leaky)
    bad = wh.unreconciled_submissions()
    columns = ["submission_id", "rows_received", "rows_loaded", "rows_quarantined"]
    assert bad[columns].values.tolist() == [["RX2-mar-x", 10, 2, 0]]


def test_same_load_twice_changes_nothing(wh: Warehouse) -> None:
    load = PartitionLoad("RX2", JAN, [loaded(RI, "RX2-jan-a", _ri("RX2", JAN, 3))])
    wh.replace_partition(load)
    first = {t: snapshot(wh, t) for t in wh.table_counts()}
    wh.replace_partition(load)
    for table, frame in first.items():
        pd.testing.assert_frame_equal(snapshot(wh, table), frame)


def test_partitions_load_concurrently_from_threads(wh: Warehouse) -> None:
    trusts = ["RX2", "RNU", "RWX", "RW1", "R1C", "R1F"]
    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(lambda t: _load(wh, t, JAN, loaded(RI, f"{t}-jan", _ri(t, JAN, 2))), trusts))
    assert {k[0]: v[0] for k, v in _facts_by_partition(wh).items()} == dict.fromkeys(trusts, 2)


def test_timestamps_are_stored_in_utc(wh: Warehouse) -> None:
    received = datetime(2024, 3, 1, 9, 30, tzinfo=UTC)
    _load(wh, "RX2", JAN, loaded(RI, "RX2-jan-a", _ri("RX2", JAN, 1), received_at=received))
    row = wh.query("SELECT received_at, warnings FROM etl_submission").iloc[0]
    assert row["received_at"] == pd.Timestamp("2024-03-01 09:30", tz="UTC")
    assert row["warnings"] == "[]"


def test_loaded_partitions_wait_in_the_mart_queue_until_refreshed(wh: Warehouse) -> None:
    _load(wh, "RX2", JAN, loaded(RI, "RX2-jan-a", _ri("RX2", JAN, 3)))
    _load(wh, "RNU", FEB, loaded(RI, "RNU-feb-a", _ri("RNU", FEB, 2)))
    _load(wh, "RX2", JAN, loaded(RI, "RX2-jan-b", _ri("RX2", JAN, 4, "J")))
    assert wh.pending_mart_partitions() == [("RNU", FEB), ("RX2", JAN)]
    wh.refresh_marts([("RX2", JAN)])
    assert wh.pending_mart_partitions() == [("RNU", FEB)]
    wh.refresh_marts(None)
    assert wh.pending_mart_partitions() == []
