"""mart_spc on hand-built mart_trust_month series whose signals were worked out by hand.

Series are built from an alternating base (10, 12, 10, ...) that crosses its mean on every point,
so the base alone triggers nothing; the pattern under test follows it. Comments give the mean,
MR-bar and limits that matter.
"""

from __future__ import annotations

import math
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
import yaml

from mhsip.config_loader import parse_trust
from tests.warehouse.helpers import intervention, loaded, ri_frame, stay, ws_frame
from transforms.trust_config import CodeMaps, Registry, SpcSettings, TargetFromBaseline
from warehouse.engine import open_warehouse
from warehouse.marts.spc_mart import MEASURES, build_spc, refresh_spc
from warehouse.partition_load import PartitionLoad
from warehouse.schema import column_names, mart_trust_month
from warehouse.store import Warehouse

RATE = "interventions_per_1000_obd"


def months(n: int, start: date = date(2022, 1, 1)) -> list[date]:
    return [
        date(start.year + (start.month - 1 + i) // 12, (start.month - 1 + i) % 12 + 1, 1)
        for i in range(n)
    ]


def trust_month(trust: str, values: list[float | None], people: int = 6) -> pd.DataFrame:
    """mart_trust_month rows: every rate measure carries `values`; NULL = a month without OBD."""
    rows = []
    for month, value in zip(months(len(values)), values, strict=True):
        row: dict[str, object] = dict.fromkeys(column_names(mart_trust_month), 0)
        row.update(trust_code=trust, reporting_month=month, people=people,
                   completeness="complete", trusts_included=1)  # fmt: skip
        for measure in MEASURES:
            if measure != "people":
                row[measure] = math.nan if value is None else value
        rows.append(row)
    return pd.DataFrame(rows, columns=column_names(mart_trust_month))


def series(spc: pd.DataFrame, trust: str, measure: str = RATE) -> pd.DataFrame:
    out = spc[(spc["trust_code"] == trust) & (spc["measure"] == measure)]
    return out.sort_values("reporting_month").reset_index(drop=True)


def flagged(frame: pd.DataFrame) -> list[int]:
    return [int(i) for i in frame.index[frame["special_cause"]]]


# Baseline of 12 points alternating 10, 12: mean 11, MR-bar 2, limits 11 ± 5.32 = 5.68 / 16.32.
# Then 20 (above the upper limit: concern when lower is better) and seven points below the mean
# (9, 9.5, ...: a shift, improvement). 2-sigma low line 11 - 3.5467 = 7.4533 is never crossed.
SHIFT_CASE = [10.0, 12.0] * 6 + [20.0] + [9.0, 9.5] * 3 + [9.0]
FIRST_YEAR_TARGET = TargetFromBaseline(reduce_by=0.25, baseline="2022-01..2022-12")


def test_hand_worked_limit_breach_then_shift_with_a_baseline() -> None:
    settings = SpcSettings(baseline_months=12, target=FIRST_YEAR_TARGET)
    spc = build_spc(trust_month("RX2", SHIFT_CASE), {"RX2": settings})
    s = series(spc, "RX2")
    assert len(s) == 20 and set(s["chart_type"]) == {"xmr"}
    assert s["mean"].tolist() == [11.0] * 20
    assert s["mean_moving_range"].tolist() == [2.0] * 20
    assert s["upper_limit"].iloc[0] == pytest.approx(16.32)
    assert s["lower_limit"].iloc[0] == pytest.approx(5.68)
    assert s["upper_2sigma"].iloc[0] == pytest.approx(11 + 2.66 * 2 / 3 * 2)
    assert pd.isna(s["moving_range"].iloc[0]) and s["moving_range"].iloc[12] == 8.0
    assert flagged(s) == list(range(12, 20))
    assert s["signal"].iloc[12] == "outside_limits"
    assert s["point_type"].iloc[12] == "special_cause_concern"
    assert s["signal"].iloc[13:].tolist() == ["shift"] * 7
    assert s["point_type"].iloc[13:].tolist() == ["special_cause_improvement"] * 7
    assert s["point_type"].iloc[:12].tolist() == ["common_cause"] * 12
    assert s["signal"].iloc[:12].isna().all()
    # Series icons on every row: last point is improvement (low); target 0.75 x 11 (the 2022
    # mean) = 8.25 lies between the limits, so hitting it is hit or miss.
    assert set(s["variation_icon"]) == {"improvement_low"}
    assert set(s["assurance_icon"]) == {"hit_or_miss"}
    assert s["target"].tolist() == [8.25] * 20
    # Without the baseline the limits come from all 20 points: mean 10.875, not 11.
    unfixed = series(build_spc(trust_month("RX2", SHIFT_CASE), {}), "RX2")
    assert unfixed["mean"].iloc[0] == pytest.approx(sum(SHIFT_CASE) / 20)


def test_every_measure_is_charted_and_people_is_a_count() -> None:
    spc = build_spc(trust_month("RX2", SHIFT_CASE, people=7), {})
    assert sorted(set(spc["measure"])) == sorted(MEASURES)
    people = series(spc, "RX2", "people")
    assert people["value"].tolist() == [7.0] * 20
    assert people["mean"].iloc[0] == 7.0 and people["upper_limit"].iloc[0] == 7.0
    assert not people["special_cause"].any()


def test_fewer_than_13_points_gives_run_chart_rows() -> None:
    spc = build_spc(trust_month("RNU", [10.0, 12.0] * 4 + [40.0, 41.0]), {})
    s = series(spc, "RNU")
    assert len(s) == 10 and set(s["chart_type"]) == {"run"}
    assert s["mean"].iloc[0] == pytest.approx((88 + 81) / 10)
    assert s["upper_limit"].isna().all() and s["lower_limit"].isna().all()
    assert s["upper_2sigma"].isna().all()
    assert not s["special_cause"].any()
    assert s["point_type"].isna().all() and s["signal"].isna().all()
    assert s["variation_icon"].isna().all() and s["assurance_icon"].isna().all()


TRUST_YAML = """
ods_code: RX2
name: Sussex Partnership NHS Foundation Trust
region: Y59
format: csv
spc:
  baseline_months: 12
  recalculate_from: ["2023-01"]
  target: {reduce_by: 0.05, baseline: "2022-01..2022-12"}
"""

# Jan-Dec 2022 alternate 10, 12 (baseline: mean 11, MR-bar 2). January 2023 has no bed days (NULL
# rate): left out, so the recalculation from 2023-01 starts at February. Feb-Sep 2023 alternate
# 4, 6: new limits mean 5, MR-bar 2, limits 5 ± 5.32 = -0.32 / 10.32, so no signal (against
# the old limits 4 would be below 5.68). Target (1 - 0.05) x 11 = 10.45 >= 10.32: pass.
RECALC_CASE: list[float | None] = [10.0, 12.0] * 6 + [None] + [4.0, 6.0] * 4


def test_yaml_baseline_and_recalculation_through_the_warehouse(tmp_path: Path) -> None:
    trust = parse_trust(yaml.safe_load(TRUST_YAML), Path("RX2.yaml"))
    registry = Registry(trusts={"RX2": trust}, codes=CodeMaps(maps={}))
    with open_warehouse(str(tmp_path / "wh.duckdb"), lock_timeout_seconds=5) as wh:
        wh.refresh_dimensions(registry)
        with wh._transaction() as session:
            session.insert_frame(mart_trust_month, trust_month("RX2", RECALC_CASE))
            refresh_spc(session, ["RX2"])
            refresh_spc(session, ["RX2"])  # idempotent: replaces, never duplicates
        spc = wh.query("SELECT * FROM mart_spc")
    s = series(spc, "RX2")
    assert len(s) == 20
    assert date(2023, 1, 1) not in {m.date() for m in pd.to_datetime(s["reporting_month"])}
    assert s["limits_partition"].tolist() == [0] * 12 + [1] * 8
    assert s["mean"].tolist() == [11.0] * 12 + [5.0] * 8
    assert s["upper_limit"].iloc[-1] == pytest.approx(10.32)
    assert s["lower_limit"].iloc[-1] == pytest.approx(-0.32)
    assert not s["special_cause"].any()
    assert s["target"].iloc[0] == pytest.approx(10.45)
    assert set(s["variation_icon"]) == {"common_cause"}
    assert set(s["assurance_icon"]) == {"pass"}
    assert len(series(spc, "RX2", "people")) == 21  # counts have no NULL month
    assert set(spc["trust_code"]) == {"RX2"}  # no ALL rows in mart_trust_month here


def test_refresh_marts_fills_mart_spc_for_trusts_and_the_collaborative(wh: Warehouse) -> None:
    jan, feb = date(2024, 1, 1), date(2024, 2, 1)
    for month, incidents in ((jan, 2), (feb, 4)):
        ri = ri_frame([intervention("RX2", month, f"I{i}") for i in range(incidents)])
        ws = ws_frame([stay("RX2", month, "S1", 100)])
        wh.replace_partition(
            PartitionLoad(
                "RX2",
                month,
                [
                    loaded("ward_stays", f"ws-{month:%m}", ws, sha=f"{month:%m}" * 32),
                    loaded(
                        "restrictive_interventions",
                        f"ri-{month:%m}",
                        ri,
                        sha=f"a{month:%m}" * 21 + "a",
                    ),
                ],
            )
        )
    wh.refresh_marts(None)
    spc = wh.query("SELECT * FROM mart_spc")
    assert set(spc["trust_code"]) == {"RX2", "ALL"}
    for trust in ("RX2", "ALL"):
        s = series(spc, trust)
        assert s["value"].tolist() == [20.0, 40.0]  # 2 and 4 per 100 OBD, per 1,000
        assert set(s["chart_type"]) == {"run"} and s["mean"].tolist() == [30.0, 30.0]
    wh.refresh_marts([("RX2", feb)])
    assert len(wh.query("SELECT * FROM mart_spc")) == len(spc)


# Hand-worked for the two profiles: 12 points alternating 10, 12, then six points at 9.5.
# Mean (6 x 10 + 6 x 12 + 6 x 9.5) / 18 = 10.5, MR-bar (11 x 2 + 2.5) / 17 = 1.441: 2-sigma
# lines 10.5 -/+ 2.556 = 7.944 / 13.056, so
# only the run below the mean can signal: six points, a shift under SQL v2.6, not under
# NHSRplotthedots (which needs seven, and 18 points are SPC for both).
SIX_BELOW = [10.0, 12.0] * 6 + [9.5] * 6


def test_a_shift_of_six_signals_under_the_default_profile_and_not_under_plotthedots() -> None:
    default = series(build_spc(trust_month("RX2", SIX_BELOW), {}), "RX2")
    assert default["mean"].iloc[0] == pytest.approx(10.5)
    assert flagged(default) == list(range(12, 18))
    assert set(default["signal"].iloc[12:]) == {"shift"}
    assert set(default["rule_profile"]) == {"nhse_sql_v2_6"}
    ptd = SpcSettings(rule_profile="nhsrplotthedots")
    other = series(build_spc(trust_month("RX2", SIX_BELOW), {"RX2": ptd}), "RX2")
    assert flagged(other) == [] and set(other["rule_profile"]) == {"nhsrplotthedots"}
    seven = series(build_spc(trust_month("RX2", [*SIX_BELOW, 9.5]), {"RX2": ptd}), "RX2")
    assert flagged(seven) == list(range(12, 19))


def test_the_trust_overrides_the_collaborative_profile_and_all_uses_the_collaborative() -> None:
    rows = pd.concat([trust_month("RX2", SIX_BELOW), trust_month("ALL", SIX_BELOW),
                      trust_month("RNU", SIX_BELOW)])  # fmt: skip
    collaborative = SpcSettings(rule_profile="nhsrplotthedots")
    spc = build_spc(rows, {"RX2": SpcSettings(rule_profile="nhse_sql_v2_6")}, collaborative)
    profiles = spc.groupby("trust_code")["rule_profile"].agg(set).to_dict()
    assert profiles == {"RX2": {"nhse_sql_v2_6"}, "ALL": {"nhsrplotthedots"},
                        "RNU": {"nhsrplotthedots"}}  # fmt: skip


def test_a_target_does_not_move_when_later_months_arrive() -> None:
    """Issue 12: with no baseline the target was 0.75 x the mean of every point, so each new
    month moved it. Derived from 2022 it stays 0.75 x 11 = 8.25 whatever follows."""
    settings = {"RX2": SpcSettings(target=FIRST_YEAR_TARGET)}
    year = [10.0, 12.0] * 6
    for later in ([], [4.0] * 3, [4.0] * 9, [30.0] * 12):
        s = series(build_spc(trust_month("RX2", year + later), settings), "RX2")
        assert s["target"].tolist() == pytest.approx([8.25] * len(s)), len(later)
    numeric = series(build_spc(trust_month("RX2", year + [4.0] * 9),
                               {"RX2": SpcSettings(target=20.0)}), "RX2")  # fmt: skip
    assert set(numeric["target"]) == {20.0}
    people = series(build_spc(trust_month("RX2", year, people=7),
                              {"RX2": SpcSettings(target=20.0)}), "RX2", "people")  # fmt: skip
    assert people["target"].isna().all()  # a number is a target for the headline rate only
    untargeted = series(build_spc(trust_month("RX2", year), {}), "RX2")
    assert untargeted["target"].isna().all() and untargeted["assurance_icon"].isna().all()
