"""mart_data_quality (DQMI inputs per data item, score per dataset) and etl_resubmission_change
(what a resubmission changed), on hand-built months, on DuckDB and PostgreSQL."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from tests.warehouse.helpers import intervention, loaded, ri_frame, snapshot, stay, ws_frame
from warehouse.partition_load import PartitionLoad
from warehouse.store import Warehouse

JAN = date(2024, 1, 1)


def _load(wh: Warehouse, ri: list[dict] | None, ws: list[dict] | None, tag: str = "v1",
          quarantined: int = 0) -> None:  # fmt: skip
    outcomes = []
    if ri is not None:
        outcomes.append(loaded("restrictive_interventions", f"RX2-{tag}-ri", ri_frame(ri),
                               quarantined=quarantined))  # fmt: skip
    if ws is not None:
        outcomes.append(loaded("ward_stays", f"RX2-{tag}-ws", ws_frame(ws)))
    wh.replace_partition(PartitionLoad("RX2", JAN, outcomes))
    wh.refresh_marts([("RX2", JAN)])


def _first_version() -> tuple[list[dict], list[dict]]:
    ri = [intervention("RX2", JAN, "I1", "1", "p1", "07"),
          intervention("RX2", JAN, "I2", "1", "p2", "05")]  # fmt: skip
    return ri, [stay("RX2", JAN, "S1", 31, "p1"), stay("RX2", JAN, "S2", 20, "p2")]


def _mart(wh: Warehouse) -> pd.Series:
    frame = snapshot(wh, "mart_trust_month")
    return frame[frame["trust_code"] == "RX2"].iloc[0]


def test_a_resubmission_records_exactly_the_measures_that_changed(wh: Warehouse) -> None:
    ri, ws = _first_version()
    _load(wh, ri, ws)
    assert snapshot(wh, "etl_resubmission_change").empty  # a first load is no resubmission
    before = _mart(wh)
    resubmitted = [*ri, intervention("RX2", JAN, "I3", "1", "p3", "01")]  # one more, prone
    _load(wh, resubmitted, None, tag="v2")
    after = _mart(wh)
    changed = {
        str(name) for name in before.index
        if name not in ("trust_code", "reporting_month")
        and not (pd.isna(before[name]) and pd.isna(after[name])) and before[name] != after[name]
    }  # fmt: skip
    rows = snapshot(wh, "etl_resubmission_change")
    assert set(rows["measure"]) == changed
    assert len(rows) == len(changed)
    assert {"interventions", "incidents", "people", "interventions_prone"} <= changed
    assert "occupied_bed_days" not in changed
    by_measure = rows.set_index("measure")
    assert by_measure.loc["interventions", ["value_before", "value_after"]].tolist() == [2, 3]
    assert by_measure.loc["people", ["value_before", "value_after"]].tolist() == [2, 3]
    assert set(rows["submissions_before"]) == {"RX2-v1-ri,RX2-v1-ws"}
    assert set(rows["submissions_after"]) == {"RX2-v1-ws,RX2-v2-ri"}
    assert rows["changed_at"].notna().all()


def test_recomputing_the_same_files_records_no_change(wh: Warehouse) -> None:
    ri, ws = _first_version()
    _load(wh, ri, ws)
    _load(wh, ri, ws)  # the same submission ids again, as a backfill reloads them
    wh.refresh_marts(None)  # and a full rebuild
    assert snapshot(wh, "etl_resubmission_change").empty


def test_dqmi_inputs_and_scores_of_a_month(wh: Warehouse) -> None:
    unknown = {"ethnic_category_code": None, "ethnic_group": "Unknown"}
    ri = [intervention("RX2", JAN, "I1", "1", "p1", "07"),
          intervention("RX2", JAN, "I2", "1", "p2", "07", ethnic_category_code="Z"),
          intervention("RX2", JAN, "I3", "1", "p3", "07", ethnic_category_code="99"),
          intervention("RX2", JAN, "I4", "1", "p4", "07", **unknown)]  # fmt: skip
    _load(wh, ri, [stay("RX2", JAN, "S1", 31, "p1")], quarantined=1)
    items = snapshot(wh, "mart_data_quality").set_index(["dataset", "data_item"])
    ethnic = items.loc[("restrictive_interventions", "ethnic_category")]
    assert ethnic["records"] == 5  # 4 loaded + 1 quarantined
    assert ethnic["valid_and_complete"] == 3 and ethnic["defaults"] == 2
    assert ethnic["defaults_in_excess"] == pytest.approx(2 - 0.10 * 5)
    assert ethnic["item_score"] == pytest.approx((3 - 1.5) / 5 * 100)
    ward = items.loc[("restrictive_interventions", "ward_code")]
    assert ward["item_score"] == pytest.approx(80.0) and pd.isna(ward["default_threshold"])
    scores = snapshot(wh, "mart_data_quality_score").set_index("dataset")
    ri_items = items.loc["restrictive_interventions"]
    assert scores.loc["restrictive_interventions", "dqmi"] == pytest.approx(
        ri_items["item_score"].mean() * ri_items["coverage"].mean())  # fmt: skip
    assert scores.loc["ward_stays", "data_items"] == len(items.loc["ward_stays"])
