"""A missing or rejected file is never a zero: completeness per trust-month (domain.md §3.5).

Three trusts, two months, worked by hand:
R1C 2024-01  both files: 2 interventions (p1, p2), 100 bed days            -> complete, rate 20
R1C 2024-02  interventions file REJECTED; stays 120 bed days               -> NULL counts, NULL rate
NQL 2024-01  both files: 1 intervention (p3), 50 bed days                  -> complete, rate 20
NQL 2024-02  3 interventions (p3); ward stays file REJECTED                 -> NULL OBD and rate
RVN 2024-01  header-only interventions file (nil return), 80 bed days      -> a real 0
RVN 2024-02  both files rejected                                           -> no_files
ALL 2024-01: 3 interventions / 230 bed days, 3 of 3 trusts; ALL 2024-02: none included.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from tests.warehouse.helpers import intervention, loaded, rejected, ri_frame, stay, ws_frame
from warehouse.partition_load import PartitionLoad
from warehouse.store import Warehouse

JAN, FEB = date(2024, 1, 1), date(2024, 2, 1)
RI, WS = "restrictive_interventions", "ward_stays"


def _build(wh: Warehouse) -> None:
    def load(trust: str, month: date, *outcomes: object) -> None:
        wh.replace_partition(PartitionLoad(trust, month, list(outcomes)))  # type: ignore[arg-type]

    load(
        "R1C",
        JAN,
        loaded(
            RI,
            "R1C-01-ri",
            ri_frame(
                [
                    intervention("R1C", JAN, "I1", "1", "p1"),
                    intervention("R1C", JAN, "I2", "1", "p2"),
                ]
            ),
        ),
        loaded(WS, "R1C-01-ws", ws_frame([stay("R1C", JAN, "S1", 100)])),
    )
    load(
        "R1C",
        FEB,
        rejected(RI, "R1C-02-ri"),
        loaded(WS, "R1C-02-ws", ws_frame([stay("R1C", FEB, "S1", 120)])),
    )
    load(
        "NQL",
        JAN,
        loaded(RI, "NQL-01-ri", ri_frame([intervention("NQL", JAN, "I1", "1", "p3")])),
        loaded(WS, "NQL-01-ws", ws_frame([stay("NQL", JAN, "S1", 50)])),
    )
    load(
        "NQL",
        FEB,
        loaded(
            RI,
            "NQL-02-ri",
            ri_frame([intervention("NQL", FEB, f"I{i}", "1", "p3") for i in range(3)]),
        ),
        rejected(WS, "NQL-02-ws"),
    )
    load(
        "RVN",
        JAN,
        loaded(RI, "RVN-01-ri", ri_frame([])),
        loaded(WS, "RVN-01-ws", ws_frame([stay("RVN", JAN, "S1", 80)])),
    )
    load("RVN", FEB, rejected(RI, "RVN-02-ri"), rejected(WS, "RVN-02-ws"))  # fmt: skip


def _mart(wh: Warehouse) -> pd.DataFrame:
    mart = wh.query("SELECT * FROM mart_trust_month")
    mart["reporting_month"] = pd.to_datetime(mart["reporting_month"]).dt.strftime("%Y-%m")
    return mart.set_index(["trust_code", "reporting_month"]).sort_index()


def test_a_rejected_interventions_file_publishes_null_not_zero(wh: Warehouse) -> None:
    _build(wh)
    wh.refresh_marts(None)
    row = _mart(wh).loc[("R1C", "2024-02")]
    assert row["completeness"] == "no_interventions_file"
    for column in ("interventions", "incidents", "people", "interventions_physical",
                   "interventions_per_1000_obd", "interventions_per_1000_obd_prone"):  # fmt: skip
        assert pd.isna(row[column]), column
    assert row["occupied_bed_days"] == 120  # the stays were loaded: bed days are known
    published = wh.query(
        "SELECT interventions, interventions_per_1000_obd, completeness FROM pub_trust_month"
        " WHERE trust_code = 'R1C' AND reporting_month = DATE '2024-02-01'"
    ).iloc[0]
    assert pd.isna(published["interventions"]) and pd.isna(published["interventions_per_1000_obd"])
    assert published["completeness"] == "no_interventions_file"


def test_a_rejected_ward_stays_file_keeps_counts_and_drops_out_of_all(wh: Warehouse) -> None:
    _build(wh)
    wh.refresh_marts(None)
    mart = _mart(wh)
    nql = mart.loc[("NQL", "2024-02")]
    assert (nql["completeness"], nql["interventions"]) == ("no_ward_stays_file", 3)
    assert pd.isna(nql["occupied_bed_days"]) and pd.isna(nql["interventions_per_1000_obd"])
    jan, feb = mart.loc[("ALL", "2024-01")], mart.loc[("ALL", "2024-02")]
    assert (jan["interventions"], jan["occupied_bed_days"]) == (3, 230)
    assert jan["interventions_per_1000_obd"] == pytest.approx(3 / 230 * 1000)
    assert (jan["trusts_included"], jan["trusts_expected"], jan["completeness"]) == (
        3, 3, "complete")  # fmt: skip
    # February: NQL's 3 interventions are not in the numerator without its bed days.
    assert (feb["trusts_included"], feb["completeness"]) == (0, "partial")
    assert pd.isna(feb["interventions"]) and pd.isna(feb["interventions_per_1000_obd"])


def test_a_nil_return_is_a_real_zero_and_no_files_is_a_row_saying_so(wh: Warehouse) -> None:
    _build(wh)
    wh.refresh_marts(None)
    mart = _mart(wh)
    nil = mart.loc[("RVN", "2024-01")]
    assert (nil["completeness"], nil["interventions"], nil["interventions_per_1000_obd"]) == (
        "nil_return", 0, 0.0)  # fmt: skip
    none = mart.loc[("RVN", "2024-02")]
    assert none["completeness"] == "no_files"
    assert pd.isna(none["interventions"]) and pd.isna(none["occupied_bed_days"])


def test_incomplete_months_are_ghosted_in_spc_not_charted_as_zero(wh: Warehouse) -> None:
    _build(wh)
    wh.refresh_marts(None)
    spc = wh.query("SELECT trust_code, reporting_month, measure, value FROM mart_spc")
    spc["reporting_month"] = pd.to_datetime(spc["reporting_month"]).dt.strftime("%Y-%m")
    charted = set(zip(spc["trust_code"], spc["reporting_month"], strict=True))
    assert ("R1C", "2024-01") in charted and ("RVN", "2024-01") in charted
    for ghost in [("R1C", "2024-02"), ("NQL", "2024-02"), ("RVN", "2024-02"), ("ALL", "2024-02")]:
        assert ghost not in charted, ghost  # `people` too: the month is left out whole


def test_equity_follows_the_completeness_rule(wh: Warehouse) -> None:
    _build(wh)
    wh.refresh_marts(None)
    eq = wh.query(
        "SELECT trust_code, reporting_month, dimension, category, interventions, people,"
        " occupied_bed_days, rate_per_1000_obd, completeness FROM mart_equity_month"
        " WHERE dimension = 'ethnic_group' AND category = 'White'"
    )
    eq["reporting_month"] = pd.to_datetime(eq["reporting_month"]).dt.strftime("%Y-%m")
    eq = eq.set_index(["trust_code", "reporting_month"])
    r1c = eq.loc[("R1C", "2024-02")]
    assert r1c["completeness"] == "no_interventions_file"
    assert pd.isna(r1c["interventions"]) and pd.isna(r1c["rate_per_1000_obd"])
    assert r1c["occupied_bed_days"] == 120
    nql = eq.loc[("NQL", "2024-02")]
    assert nql["interventions"] == 3 and pd.isna(nql["rate_per_1000_obd"])
    everyone = eq.loc[("ALL", "2024-01")]
    assert (everyone["interventions"], everyone["people"], everyone["occupied_bed_days"]) == (
        3, 3, 230)  # fmt: skip
    assert ("ALL", "2024-02") not in eq.index  # no trust-month of February was summed


def test_partial_refresh_of_a_rejected_month_equals_a_full_rebuild(wh: Warehouse) -> None:
    _build(wh)
    wh.refresh_marts(None)
    wh.replace_partition(PartitionLoad("R1C", FEB, [rejected(RI, "R1C-02-ri-v2", sha="x" * 8)]))
    wh.refresh_marts([("R1C", FEB)])
    partial = wh.query("SELECT * FROM mart_trust_month ORDER BY trust_code, reporting_month")
    wh.refresh_marts(None)
    full = wh.query("SELECT * FROM mart_trust_month ORDER BY trust_code, reporting_month")
    pd.testing.assert_frame_equal(partial, full)


def test_a_first_month_with_no_facts_at_all_refreshes_as_a_full_rebuild(wh: Warehouse) -> None:
    """A nil return and a rejected stays file, the only files of their month: the touched
    refresh builds no equity rows, and it must still insert nothing rather than fail (an empty
    frame filtered with a plain empty list keeps no columns)."""
    march = date(2024, 3, 1)
    wh.replace_partition(PartitionLoad("RVN", march, [
        loaded(RI, "RVN-03-ri", ri_frame([])), rejected(WS, "RVN-03-ws")]))  # fmt: skip
    wh.refresh_marts([("RVN", march)])
    partial = {t: wh.query(f"SELECT * FROM {t} ORDER BY 1, 2, 3")
               for t in ("mart_trust_month", "mart_equity_month")}  # fmt: skip
    wh.refresh_marts(None)
    for table, frame in partial.items():
        pd.testing.assert_frame_equal(frame, wh.query(f"SELECT * FROM {table} ORDER BY 1, 2, 3"))
    assert partial["mart_trust_month"].set_index("trust_code").loc["RVN", "completeness"] == (
        "no_ward_stays_file")  # fmt: skip
