"""The measures of domain.md §3.6 and mart_ward_month on a hand-built month, counted by hand.

RX2 2024-01  stays: S1 p1 W1 31 days, S2 p2 W2 20 days, S3 p3 no ward 10 days
                                                        -> 61 bed days, 3 inpatients
  interventions   ward  type              duration          injury  debrief
  I1/1 p1         W1    05 seclusion      1,440 min, ended  yes     yes
  I1/2 p1         W1    01 prone          10 min            no      yes
  I2/1 p1         W1    07 physical       20 min            unknown no
  I3/1 p2         W2    06 segregation    from 30 Jan 00:00, active at month end: 2 days
  I4/1 p2         none  07 physical       30 min
  -> 5 interventions, 4 incidents, 2 people (p1 has 3, p2 has 2), 3 physical of which 1 prone.
"""

from __future__ import annotations

import math
from datetime import date

import pandas as pd
import pytest

from tests.warehouse.helpers import intervention, loaded, ri_frame, stay, ws_frame
from warehouse.partition_load import PartitionLoad
from warehouse.store import Warehouse

JAN = date(2024, 1, 1)


def _at(day: int, hour: int = 0) -> pd.Timestamp:
    return pd.Timestamp(2024, 1, day, hour, tz="UTC")


def _ended(incident: str, number: str, patient: str, code: str, ward: str | None,
           minutes: float, **extra: object) -> dict:  # fmt: skip
    return intervention("RX2", JAN, incident, number, patient, code, ward_code=ward,
                        start_at=_at(10, 10), end_at=_at(10, 10) + pd.Timedelta(minutes=minutes),
                        duration_minutes=minutes, **extra)  # fmt: skip


def _build(wh: Warehouse) -> None:
    ri = [
        _ended("I1", "1", "p1", "05", "W1", 1440.0, injury_patient=True),
        _ended("I1", "2", "p1", "01", "W1", 10.0),
        _ended("I2", "1", "p1", "07", "W1", 20.0, injury_patient=None,
               post_incident_review_patient=False),
        intervention("RX2", JAN, "I3", "1", "p2", "06", ward_code="W2", start_at=_at(30),
                     end_at=None, duration_minutes=None, is_open_at_month_end=True,
                     post_incident_review_patient=False),
        _ended("I4", "1", "p2", "07", None, 30.0, post_incident_review_patient=False),
    ]  # fmt: skip
    ws = [stay("RX2", JAN, "S1", 31, "p1"), stay("RX2", JAN, "S2", 20, "p2", ward_code="W2"),
          stay("RX2", JAN, "S3", 10, "p3", ward_code=None, ward_type_code=None)]  # fmt: skip
    wh.replace_partition(PartitionLoad("RX2", JAN, [
        loaded("restrictive_interventions", "RX2-2024-01-ri", ri_frame(ri)),
        loaded("ward_stays", "RX2-2024-01-ws", ws_frame(ws)),
    ]))  # fmt: skip
    wh.refresh_marts(None)


def test_every_new_measure_matches_the_hand_count(wh: Warehouse) -> None:
    _build(wh)
    row = wh.query("SELECT * FROM mart_trust_month WHERE trust_code = 'RX2'").iloc[0]
    expected = {
        "interventions": 5, "incidents": 4, "people": 2, "occupied_bed_days": 61,
        "inpatients": 3, "pct_inpatients_restricted": 100 * 2 / 3,
        "interventions_per_incident": 5 / 4, "incidents_per_1000_obd": 4 / 61 * 1000,
        "seclusion_ended": 1, "seclusion_minutes_mean": 1440.0,
        "seclusion_minutes_median": 1440.0, "seclusion_minutes_max": 1440.0,
        "physical_ended": 3, "physical_minutes_mean": 20.0, "physical_minutes_median": 20.0,
        "physical_minutes_max": 30.0, "segregation_ended": 0, "seclusion_active": 0,
        "segregation_active": 1, "segregation_days": 2.0, "pct_physical_prone": 100 / 3,
        "people_2plus_interventions": 2, "people_5plus_interventions": 0,
        "interventions_injury_patient": 1, "pct_injury_patient": 20.0,
        "interventions_debrief_patient": 2, "pct_debrief_patient": 40.0,
    }  # fmt: skip
    assert {k: pytest.approx(float(row[k])) for k in expected} == expected
    assert pd.isna(row["segregation_minutes_mean"])  # none ended in the month
    assert pd.isna(row["seclusion_days"])  # the one seclusion ended: none active at month end
    everyone = wh.query("SELECT * FROM mart_trust_month WHERE trust_code = 'ALL'").iloc[0]
    assert {k: pytest.approx(float(everyone[k])) for k in expected} == expected


def test_ward_rows_and_the_unknown_row_sum_to_the_trust(wh: Warehouse) -> None:
    _build(wh)
    wards = wh.query("SELECT * FROM mart_ward_month ORDER BY ward_code")
    assert wards["ward_code"].tolist() == ["UNKNOWN", "W1", "W2"]
    got = wards.set_index("ward_code")
    assert got["interventions"].tolist() == [1, 3, 1]
    assert got["occupied_bed_days"].tolist() == [10, 31, 20]
    assert got["inpatients"].tolist() == [1, 1, 1]
    assert got.loc["W1", "people_2plus_interventions"] == 1
    assert got.loc["W1", "pct_physical_prone"] == pytest.approx(50.0)
    assert got.loc["W2", "segregation_days"] == pytest.approx(2.0)
    assert got.loc["W1", "ward_type"] == "03" and got.loc["W1", "security_level"] == "0"
    assert pd.isna(got.loc["UNKNOWN", "ward_type"])
    assert set(got["completeness"]) == {"complete"}
    trust = wh.query("SELECT * FROM mart_trust_month WHERE trust_code = 'RX2'").iloc[0]
    additive = ["interventions", "occupied_bed_days", "interventions_physical",
                "interventions_prone", "interventions_seclusion", "interventions_segregation",
                "seclusion_ended", "physical_ended", "interventions_injury_patient"]  # fmt: skip
    assert {c: int(got[c].sum()) for c in additive} == {c: int(trust[c]) for c in additive}


def test_pub_ward_month_suppresses_small_numbers(wh: Warehouse) -> None:
    _build(wh)
    pub = wh.query("SELECT * FROM pub_ward_month ORDER BY ward_code")
    assert pub["ward_code"].tolist() == ["UNKNOWN", "W1", "W2"]
    assert pub["interventions"].isna().all()  # 1, 3, 1: all under 5
    assert pub["interventions_per_1000_obd"].isna().all()
    assert pub["pct_physical_prone"].isna().all() and pub["inpatients"].isna().all()
    trust = wh.query("SELECT * FROM pub_trust_month WHERE trust_code = 'RX2'").iloc[0]
    assert int(trust["interventions"]) == 5
    assert pd.isna(trust["pct_inpatients_restricted"])  # 2 people, 3 inpatients


def _wilson(k: int, n: int, z: float = 1.959963984540054) -> tuple[float, float]:
    """The Wilson score interval written out (Wilson 1927), in percent."""
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return 100 * (centre - half), 100 * (centre + half)


def test_people_based_equity_with_its_wilson_interval(wh: Warehouse) -> None:
    _build(wh)
    cell = wh.query(
        "SELECT * FROM mart_equity_month WHERE trust_code = 'RX2'"
        " AND dimension = 'ethnic_group' AND category = 'White'"
    ).iloc[0]
    # everyone is White here: p1 and p2 restricted, p1, p2 and p3 in hospital
    assert (int(cell["people"]), int(cell["inpatients"])) == (2, 3)
    assert cell["people_per_100_inpatients"] == pytest.approx(200 / 3)
    low, high = _wilson(2, 3)
    assert cell["people_rate_ci_lower"] == pytest.approx(low)
    assert cell["people_rate_ci_upper"] == pytest.approx(high)
    assert cell["rate_per_1000_obd"] == pytest.approx(5 / 61 * 1000)  # beside the rate
