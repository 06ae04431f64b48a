"""Seclusion and segregation bounded by the stay: an episode whose part in the month lies inside
no ward stay (or unbroken run of stays) of the same patient in that month's stays file is counted
per trust-month and shown in the trust's feedback. Runs on DuckDB and PostgreSQL (`wh`).

RX2 2024-03, worked by hand (times UTC, March dates are GMT so local dates are the same):
- p1 seclusion 03 10:00 .. 05 10:00, stay 01 .. 10                          -> fits
- p2 seclusion 08 10:00 .. 12 10:00, stay 01 .. 10 (overruns the stay)       -> counted
- p3 seclusion 03 .. 05, no stay at all                                      -> counted
- p4 segregation 05 .. 20, stays 01 .. 10 and 15 .. open (spans the gap)     -> counted
- p5 segregation 02 .. 20, stays 01 .. 10 and 10 .. open (a ward transfer)   -> fits
- p6 seclusion from 25, open at month end, stay 20 .. open                   -> fits
- p7 seclusion from 25, open at month end, stay 20 .. 28 (judged to the 31st) -> counted
- p8 seclusion Feb 27 .. Mar 02, stay from Feb 28 (only March's part judged) -> fits
- p3 physical restraint with no stay: not a seclusion or segregation         -> not counted
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pandas as pd

from tests.warehouse.helpers import feedback_of, intervention, loaded, ri_frame, stay, ws_frame
from warehouse.partition_load import PartitionLoad
from warehouse.store import Warehouse

MARCH = date(2024, 3, 1)


def _at(day: int, month: int = 3) -> pd.Timestamp:
    return pd.Timestamp(2024, month, day, 10, tz="UTC")


def _episode(incident: str, patient: str, code: str, start: pd.Timestamp,
             end: pd.Timestamp | None) -> dict[str, Any]:  # fmt: skip
    return intervention(
        "RX2", MARCH, incident, "1", patient, code, start_at=start, end_at=end,
        start_date_local=start.date(), is_open_at_month_end=end is None,
        duration_minutes=None if end is None else (end - start).total_seconds() / 60,
    )  # fmt: skip


def _stay(stay_id: str, patient: str, start: date, end: date | None) -> dict[str, Any]:
    return stay("RX2", MARCH, stay_id, 10, patient, stay_start=start, stay_end=end,
                is_open_at_month_end=end is None)  # fmt: skip


def _build(wh: Warehouse) -> None:
    ri = [
        _episode("I1", "p1", "05", _at(3), _at(5)),
        _episode("I2", "p2", "05", _at(8), _at(12)),
        _episode("I3", "p3", "05", _at(3), _at(5)),
        _episode("I4", "p4", "06", _at(5), _at(20)),
        _episode("I5", "p5", "06", _at(2), _at(20)),
        _episode("I6", "p6", "05", _at(25), None),
        _episode("I7", "p7", "05", _at(25), None),
        _episode("I8", "p8", "05", _at(27, 2), _at(2)),
        _episode("I9", "p3", "07", _at(3), _at(3) + pd.Timedelta(minutes=5)),
    ]
    d = lambda day, month=3: date(2024, month, day)  # noqa: E731
    ws = [
        _stay("S1", "p1", d(1), d(10)),
        _stay("S2", "p2", d(1), d(10)),
        _stay("S4a", "p4", d(1), d(10)),
        _stay("S4b", "p4", d(15), None),
        _stay("S5a", "p5", d(1), d(10)),
        _stay("S5b", "p5", d(10), None),
        _stay("S6", "p6", d(20), None),
        _stay("S7", "p7", d(20), d(28)),
        _stay("S8", "p8", d(28, 2), None),
    ]
    wh.replace_partition(PartitionLoad("RX2", MARCH, [
        loaded("restrictive_interventions", "RX2-03-ri", ri_frame(ri)),
        loaded("ward_stays", "RX2-03-ws", ws_frame(ws)),
    ]))  # fmt: skip
    wh.refresh_marts(None)


def test_episodes_longer_than_the_stay_are_counted_per_trust_month(wh: Warehouse) -> None:
    _build(wh)
    mart = wh.query(
        "SELECT trust_code, interventions_seclusion + interventions_segregation AS episodes,"
        " interventions_longer_than_stay FROM mart_trust_month"
    ).set_index("trust_code")
    assert mart.loc["RX2"].tolist() == [8, 4]
    assert mart.loc["ALL"].tolist() == [8, 4]


def test_the_check_needs_both_files(wh: Warehouse) -> None:
    ri = [_episode("I3", "p3", "05", _at(3), _at(5))]
    wh.replace_partition(PartitionLoad("RX2", MARCH, [
        loaded("restrictive_interventions", "RX2-03-ri", ri_frame(ri)),
    ]))  # fmt: skip
    wh.refresh_marts(None)
    mart = wh.query("SELECT interventions_longer_than_stay AS n FROM mart_trust_month")
    assert mart["n"].isna().all()


def test_the_stay_warning_is_shown_in_feedback(wh: Warehouse) -> None:
    _build(wh)
    rows = feedback_of(wh, "RX2")
    warning = rows[rows["rule"] == "intervention_longer_than_stay"]
    assert len(warning) == 1
    row = warning.iloc[0]
    assert (row["dataset"], row["severity"], row["count"]) == ("restrictive_interventions",
                                                              "warn", 4)  # fmt: skip
    assert row["example_details"].startswith("4 of 8 seclusions and segregations do not fit")
    assert "ward stay" in row["explanation"]
