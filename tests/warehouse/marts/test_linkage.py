"""The linkage check: an intervention with no ward stay of the same patient overlapping its
start in that trust-month is counted per trust-month and shown in the trust's feedback.

RX2 2024-03, worked by hand (interventions start 10:00 UTC on the 1st, local date 2024-03-01):
- p1: stay from 2024-02-20, still open                     -> linked
- p2: stay 2024-02-01 .. 2024-02-28 (ended before)         -> not linked
- p3: no stay at all                                       -> not linked
- p4: stay that starts on the intervention's date          -> linked
- no patient key (no usable identifier)                    -> not linked
"""

from __future__ import annotations

from datetime import date

from tests.warehouse.helpers import feedback_of, intervention, loaded, ri_frame, stay, ws_frame
from warehouse.partition_load import PartitionLoad
from warehouse.store import Warehouse

MARCH = date(2024, 3, 1)


def _build(wh: Warehouse) -> None:
    patients = ["p1", "p2", "p3", "p4", None]
    ri = [intervention("RX2", MARCH, f"I{i}", "1", p) for i, p in enumerate(patients)]
    ws = [
        stay("RX2", MARCH, "S1", 31, "p1", stay_start=date(2024, 2, 20)),
        stay("RX2", MARCH, "S2", 0, "p2", stay_start=date(2024, 2, 1),
             stay_end=date(2024, 2, 28), is_open_at_month_end=False),
        stay("RX2", MARCH, "S4", 31, "p4", stay_start=MARCH),
    ]  # fmt: skip
    wh.replace_partition(PartitionLoad("RX2", MARCH, [
        loaded("restrictive_interventions", "RX2-03-ri", ri_frame(ri)),
        loaded("ward_stays", "RX2-03-ws", ws_frame(ws)),
    ]))  # fmt: skip
    wh.refresh_marts(None)


def test_unlinked_interventions_are_counted_per_trust_month(wh: Warehouse) -> None:
    _build(wh)
    mart = wh.query(
        "SELECT trust_code, interventions, interventions_without_ward_stay FROM mart_trust_month"
    ).set_index("trust_code")
    assert mart.loc["RX2"].tolist() == [5, 3]
    assert mart.loc["ALL"].tolist() == [5, 3]


def test_the_linkage_warning_is_shown_in_feedback(wh: Warehouse) -> None:
    _build(wh)
    rows = feedback_of(wh, "RX2")
    warning = rows[rows["rule"] == "intervention_without_ward_stay"]
    assert len(warning) == 1
    row = warning.iloc[0]
    assert (row["dataset"], row["severity"], row["count"]) == ("restrictive_interventions",
                                                              "warn", 3)  # fmt: skip
    assert row["example_details"].startswith("3 of 5 interventions have no ward stay")
    assert "ward stay" in row["explanation"]
