"""Marts on a hand-built case: two trusts, two months, counts and rates worked out by hand.

RX2 2024-01  stays: S1 p1 White/A, male, 35-44, IMD 9 (Q5), LDA N: 31 days
                    S2 p2 Black/M, male, 18-24, IMD 1 (Q1), LDA Y: 20 days
                    S3 p4 Not Stated/Z, gender X, age and IMD and LDA unknown: 9 days   -> 60
             interventions: I1/1 p2 prone (01), I1/2 p2 RT (14), I2/1 p1 seclusion (05),
                    I3/1 p4 standing (07)          -> 4 interventions, 3 incidents, 3 people
RNU 2024-01  stay S1 p3 White/A 10 days; interventions I1/1 p2 (07) sent twice (one counted)
RX2 2024-02  stay S1 29 days, no interventions     -> rate 0
RNU 2024-02  intervention I5/1 p3 segregation (06), no stays -> rate NULL
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from tests.warehouse.helpers import intervention, loaded, ri_frame, snapshot, stay, ws_frame
from transforms.rates import rate_ci, rate_ratio
from warehouse.marts import passes
from warehouse.partition_load import PartitionLoad
from warehouse.store import Warehouse

JAN, FEB = date(2024, 1, 1), date(2024, 2, 1)
BLACK = {"ethnic_category_code": "M", "ethnic_group": "Black or Black British",
         "age_years": 20, "age_band": "18-24", "imd_decile": 1, "lda_flag": True}  # fmt: skip
UNSTATED = {"ethnic_category_code": "Z", "ethnic_group": "Not Stated", "gender_code": "X",
            "age_years": None, "age_band": None, "imd_decile": None, "lda_flag": None}  # fmt: skip


def _partition(wh: Warehouse, trust: str, month: date, ri: list[dict], ws: list[dict]) -> None:
    tag = f"{trust}-{month:%Y-%m}"
    wh.replace_partition(PartitionLoad(trust, month, [
        loaded("restrictive_interventions", f"{tag}-ri", ri_frame(ri)),
        loaded("ward_stays", f"{tag}-ws", ws_frame(ws)),
    ]))  # fmt: skip


def _build(wh: Warehouse) -> None:
    _partition(wh, "RX2", JAN, [
        intervention("RX2", JAN, "I1", "1", "p2", "01", **BLACK),
        intervention("RX2", JAN, "I1", "2", "p2", "14", **BLACK),
        intervention("RX2", JAN, "I2", "1", "p1", "05"),
        intervention("RX2", JAN, "I3", "1", "p4", "07", **UNSTATED),
    ], [stay("RX2", JAN, "S1", 31, "p1"), stay("RX2", JAN, "S2", 20, "p2", **BLACK),
        stay("RX2", JAN, "S3", 9, "p4", **UNSTATED)])  # fmt: skip
    _partition(wh, "RNU", JAN, [intervention("RNU", JAN, "I1", "1", "p2", "07")] * 2,
               [stay("RNU", JAN, "S1", 10, "p3")])  # fmt: skip
    _partition(wh, "RX2", FEB, [], [stay("RX2", FEB, "S1", 29, "p1")])
    _partition(wh, "RNU", FEB, [intervention("RNU", FEB, "I5", "1", "p3", "06")], [])


def _mart(wh: Warehouse, table: str) -> pd.DataFrame:
    return snapshot(wh, table)


def test_trust_month_counts_bed_days_and_rates(wh: Warehouse) -> None:
    _build(wh)
    wh.refresh_marts(None)
    got = wh.query(
        "SELECT trust_code, reporting_month, interventions,"
        " incidents, people, occupied_bed_days, interventions_per_1000_obd,"
        " interventions_physical, interventions_chemical, interventions_seclusion,"
        " interventions_segregation, interventions_prone, interventions_rapid_tranquillisation,"
        " interventions_per_1000_obd_prone FROM mart_trust_month"
        " ORDER BY reporting_month, trust_code"
    )
    got["reporting_month"] = got["reporting_month"].dt.strftime("%Y-%m")
    nan = np.nan
    expected = [
        ["ALL", "2024-01", 5, 4, 3, 70, 5 / 70 * 1000, 3, 1, 1, 0, 1, 1, 1 / 70 * 1000],
        ["RNU", "2024-01", 1, 1, 1, 10, 100.0, 1, 0, 0, 0, 0, 0, 0.0],
        ["RX2", "2024-01", 4, 3, 3, 60, 4 / 60 * 1000, 2, 1, 1, 0, 1, 1, 1 / 60 * 1000],
        ["ALL", "2024-02", 1, 1, 1, 29, 1 / 29 * 1000, 0, 0, 0, 1, 0, 0, 0.0],
        ["RNU", "2024-02", 1, 1, 1, 0, nan, 0, 0, 0, 1, 0, 0, nan],
        ["RX2", "2024-02", 0, 0, 0, 29, 0.0, 0, 0, 0, 0, 0, 0, 0.0],
    ]
    assert got.columns.size == len(expected[0])
    for row, want in zip(got.itertuples(index=False), expected, strict=True):
        assert list(row) == pytest.approx(want, nan_ok=True)


def test_all_rows_are_the_sum_of_trusts_except_distinct_people(wh: Warehouse) -> None:
    _build(wh)
    wh.refresh_marts(None)
    mart = _mart(wh, "mart_trust_month")
    summed = ["interventions", "incidents", "occupied_bed_days", "interventions_physical",
              "interventions_segregation", "interventions_prone"]  # fmt: skip
    trusts = mart[mart.trust_code != "ALL"].groupby("reporting_month")[summed].sum()
    everyone = mart[mart.trust_code == "ALL"].set_index("reporting_month")[summed]
    pd.testing.assert_frame_equal(everyone, trusts, check_dtype=False)
    # p2 was restrained in both trusts in January: one person for the collaborative.
    jan = mart[mart.reporting_month == pd.Timestamp(JAN)].set_index("trust_code")["people"]
    assert (jan["RX2"], jan["RNU"], jan["ALL"]) == (3, 1, 3)


def test_equity_rates_ratios_and_intervals(wh: Warehouse) -> None:
    _build(wh)
    wh.refresh_marts(None)
    eq = wh.query(
        "SELECT dimension, category, is_reference, interventions, occupied_bed_days,"
        " rate_per_1000_obd, rate_ci_lower, rate_ci_upper, rate_ratio, rate_ratio_ci_lower,"
        " rate_ratio_ci_upper FROM mart_equity_month"
        " WHERE trust_code = 'RX2' AND reporting_month = DATE '2024-01-01'"
    ).set_index(["dimension", "category"])
    assert eq.loc[("ethnic_group", "White"), ["interventions", "occupied_bed_days"]].tolist() == [
        1, 31]  # fmt: skip
    black = eq.loc[("ethnic_group", "Black or Black British")]
    assert (black["interventions"], black["occupied_bed_days"]) == (2, 20)
    assert black["rate_per_1000_obd"] == pytest.approx(100.0)
    low, high = rate_ci([2], [20])
    assert [black["rate_ci_lower"], black["rate_ci_upper"]] == pytest.approx([low[0], high[0]])
    ratio, rlow, rhigh = rate_ratio([2], [20], [1], [31])
    assert ratio[0] == pytest.approx(3.1)
    assert [black["rate_ratio"], black["rate_ratio_ci_lower"], black["rate_ratio_ci_upper"]] == (
        pytest.approx([3.1, rlow[0], rhigh[0]]))  # fmt: skip
    white = eq.loc[("ethnic_group", "White")]
    assert (bool(white["is_reference"]), white["rate_ratio"]) == (True, 1.0)
    assert np.isnan(white["rate_ratio_ci_lower"])
    # Not stated keeps its rate, never a ratio.
    unstated = eq.loc[("ethnic_group", "Not Stated")]
    assert unstated["rate_per_1000_obd"] == pytest.approx(1 / 9 * 1000)
    assert np.isnan(unstated["rate_ratio"])
    # Deprivation: Q1 against Q5 is the same 2/20 vs 1/31; unknown IMD has no ratio.
    assert eq.loc[("imd_quintile", "1"), "rate_ratio"] == pytest.approx(3.1)
    assert eq.loc[("imd_quintile", "5"), "is_reference"]
    assert np.isnan(eq.loc[("imd_quintile", "Unknown"), "rate_ratio"])
    assert eq.loc[("lda", "Y"), "rate_ratio"] == pytest.approx(3.1)
    assert eq.loc[("gender", "1"), ["interventions", "occupied_bed_days"]].tolist() == [3, 51]
    assert np.isnan(eq.loc[("gender", "X"), "rate_ratio"])
    assert eq.loc[("age_band", "Unknown"), "interventions"] == 1
    # Every dimension adds up to the trust-month totals.
    totals = eq.groupby(level="dimension")[["interventions", "occupied_bed_days"]].sum()
    assert (totals["interventions"] == 4).all() and (totals["occupied_bed_days"] == 60).all()


def test_partial_refresh_equals_full_rebuild(wh: Warehouse) -> None:
    _build(wh)
    wh.refresh_marts(None)
    before = {t: _mart(wh, t) for t in ("mart_trust_month", "mart_equity_month")}
    # RX2 resubmits February with one restraint; only that partition is refreshed.
    wh.replace_partition(PartitionLoad("RX2", FEB, [loaded(
        "restrictive_interventions", "RX2-2024-02-ri-v2",
        ri_frame([intervention("RX2", FEB, "I9", "1", "p1", "07")]))]))  # fmt: skip
    wh.refresh_marts([("RX2", FEB)])
    partial = {t: _mart(wh, t) for t in before}
    wh.refresh_marts(None)
    for table, frame in partial.items():
        pd.testing.assert_frame_equal(frame, _mart(wh, table))
    changed = partial["mart_trust_month"].set_index(["trust_code", "reporting_month"])
    assert changed.loc[("RX2", pd.Timestamp(FEB)), "interventions"] == 1
    assert changed.loc[("ALL", pd.Timestamp(FEB)), "interventions"] == 2
    assert not partial["mart_trust_month"].equals(before["mart_trust_month"])
    # Untouched partitions were neither deleted nor changed.
    untouched = before["mart_trust_month"]
    jan = untouched[untouched.reporting_month == pd.Timestamp(JAN)].reset_index(drop=True)
    again = partial["mart_trust_month"]
    pd.testing.assert_frame_equal(
        again[again.reporting_month == pd.Timestamp(JAN)].reset_index(drop=True), jan
    )


def test_marts_read_a_month_a_pass_equal_marts_read_in_one_pass(
    wh: Warehouse, monkeypatch: pytest.MonkeyPatch
) -> None:
    """How a refresh groups months into passes (warehouse.marts.passes) never changes a row."""
    _build(wh)
    tables = ("mart_trust_month", "mart_equity_month", "mart_ward_month", "mart_data_quality",
              "mart_data_quality_score")  # fmt: skip
    wh.refresh_marts(None)
    one_pass = {t: _mart(wh, t) for t in tables}
    monkeypatch.setattr(passes, "ROWS_PER_PASS", 1)  # every month a pass of its own
    with wh._transaction() as session:
        assert passes.month_passes(session, [JAN, FEB]) == [[JAN], [FEB]]
    wh.refresh_marts(None)
    for table in tables:
        pd.testing.assert_frame_equal(_mart(wh, table), one_pass[table])
    assert len(one_pass["mart_trust_month"]) and len(one_pass["mart_data_quality"])
