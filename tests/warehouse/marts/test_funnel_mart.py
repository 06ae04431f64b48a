"""mart_funnel and pub_funnel on hand-built facts, refreshed on DuckDB and PostgreSQL.

Three trusts, January to April 2024. Each month RX2 has 3 interventions on ward W1 (100 bed
days; the first is prone), 3 on W2 (300 bed days) and 1 with no ward (Unknown); RNU and RWX have
5 on W1 (500 bed days). RNU sends nothing for February; RWX's April has no ward stays file. So
March is the latest month with every trust complete: the rolling period is 2023-04..2024-03,
and FY2024/25 holds April only (RX2 and RNU).
"""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from tests.warehouse.helpers import intervention, loaded, ri_frame, stay, ws_frame
from transforms.trust_config import CodeMaps, Registry, TrustConfig
from warehouse.marts.funnel_mart import build_funnel, periods
from warehouse.partition_load import PartitionLoad
from warehouse.schema import column_names, mart_funnel, mart_trust_month
from warehouse.store import Warehouse

RI, WS = "restrictive_interventions", "ward_stays"
MONTHS = [date(2024, m, 1) for m in (1, 2, 3, 4)]
ROLLING = "2023-04..2024-03"
RATE, PRONE = "interventions_per_1000_obd", "interventions_per_1000_obd_prone"


def registry() -> Registry:
    trusts = {c: TrustConfig(ods_code=c, name=c, region="Y59", format="csv")
              for c in ("RX2", "RNU", "RWX")}  # fmt: skip
    return Registry(trusts=trusts, codes=CodeMaps(maps={}))


def _month(trust: str, m: date) -> tuple[pd.DataFrame, pd.DataFrame]:
    wards = {"W1": (3, 100), "W2": (3, 300), None: (1, 0)} if trust == "RX2" else {"W1": (5, 500)}
    ri, ws = [], []
    for ward, (count, days) in wards.items():
        name = ward or "none"
        for n in range(count):
            prone = trust == "RX2" and ward == "W1" and n == 0
            ri.append(intervention(trust, m, f"{name}-{n}", patient=f"{trust}-{name}-{n}",
                                   type_code="01" if prone else "07", ward_code=ward))  # fmt: skip
        if days:
            ws.append(stay(trust, m, f"S-{name}", days, patient=f"{trust}-{name}-0",
                           ward_code=ward))  # fmt: skip
    return ri_frame(ri), ws_frame(ws)


def load(wh: Warehouse) -> None:
    for trust in ("RX2", "RNU", "RWX"):
        for m in MONTHS:
            if (trust, m.month) == ("RNU", 2):
                continue
            ri, ws = _month(trust, m)
            sid = f"{trust}-{m:%Y-%m}"
            files = [loaded(RI, f"{sid}-ri", ri)]
            if (trust, m.month) != ("RWX", 4):
                files.append(loaded(WS, f"{sid}-ws", ws))
            wh.replace_partition(PartitionLoad(trust, m, files))
    wh.refresh_dimensions(registry())
    wh.refresh_marts(None)


def row(frame: pd.DataFrame, period: str, trust: str, ward: str, measure: str = RATE) -> dict:
    hit = frame[(frame["period"] == period) & (frame["trust_code"] == trust)
                & (frame["ward_code"] == ward) & (frame["measure"] == measure)]  # fmt: skip
    assert len(hit) == 1, (period, trust, ward, measure)
    return hit.iloc[0].to_dict()


def test_refresh_pools_complete_months_per_trust_and_ward(wh: Warehouse) -> None:
    load(wh)
    mart = wh.query("SELECT * FROM mart_funnel")
    assert sorted(set(mart["period"])) == [ROLLING, "FY2023/24", "FY2024/25"]
    # RX2, January-March: (3 + 3 + 1) x 3 = 21 interventions over 400 x 3 = 1200 bed days.
    rx2 = row(mart, ROLLING, "RX2", "ALL")
    assert (rx2["months"], rx2["numerator"], rx2["denominator"]) == (3, 21, 1200)
    assert rx2["value"] == pytest.approx(17.5)
    # RNU: February missing, pooled over 2 months: 10 / 1000 bed days.
    rnu = row(mart, ROLLING, "RNU", "ALL")
    assert (rnu["months"], rnu["numerator"], rnu["denominator"]) == (2, 10, 1000)
    # Trust funnel centre: (21 + 10 + 15) / (1200 + 1000 + 1500) x 1000.
    assert rx2["target"] == pytest.approx(46 / 3700 * 1000)
    # FY2024/25 is April alone; RWX's April has no ward stays file, so RWX has no row.
    april = mart[(mart["period"] == "FY2024/25") & (mart["level"] == "trust")]
    assert sorted(set(april["trust_code"])) == ["RNU", "RX2"]
    # RX2's wards: W1 9/300, W2 9/900; the unknown-ward interventions are in no ward, and the
    # ward funnel is centred on the known wards' pooled rate 18/1200, not the trust's 17.5.
    wards = mart[(mart["period"] == ROLLING) & (mart["level"] == "ward")
                 & (mart["trust_code"] == "RX2") & (mart["measure"] == RATE)]  # fmt: skip
    assert sorted(wards["ward_code"]) == ["W1", "W2"]
    w1 = row(mart, ROLLING, "RX2", "W1")
    assert (w1["numerator"], w1["denominator"], w1["value"]) == (9, 300, pytest.approx(30.0))
    assert w1["target"] == pytest.approx(15.0)
    prone = row(mart, ROLLING, "RX2", "W1", PRONE)
    assert (prone["numerator"], prone["people"]) == (3, 1)
    # Limits bracket the target; none where the units compared had no event at all (target 0).
    assert mart.loc[mart["target"] == 0, "upper_998"].isna().all()
    limits = mart.dropna(subset=["upper_998"])
    assert (limits["lower_998"] <= limits["lower_95"]).all()
    assert (limits["lower_95"] <= limits["target"]).all()
    assert (limits["target"] <= limits["upper_95"]).all()


def test_pub_funnel_suppresses_small_rates_and_their_limits(wh: Warehouse) -> None:
    load(wh)
    pub = wh.query("SELECT * FROM pub_funnel")
    assert "denominator" not in pub.columns and "people" not in pub.columns
    rx2 = row(pub, ROLLING, "RX2", "ALL")
    # 21 interventions, 7 people in the busiest month, 1200 bed days: shown, whole numbers.
    assert (rx2["numerator"], rx2["value"]) == (20, 18)
    assert rx2["upper_998"] is not None and float(rx2["upper_998"]).is_integer()
    # Prone: 3 interventions -> the count, rate, target, limits and outlier flag are hidden.
    prone = row(pub, ROLLING, "RX2", "ALL", PRONE)
    hidden = ("numerator", "value", "target", "lower_95", "upper_95", "lower_998", "upper_998",
              "outlier")  # fmt: skip
    assert all(pd.isna(prone[c]) for c in hidden)
    # A ward whose 9 interventions rest on 3 people a month is hidden too.
    assert pd.isna(row(pub, ROLLING, "RX2", "W1")["value"])
    # Everywhere: a hidden rate hides its target, limits and flag (its count follows the count
    # rule on its own, as in pub_trust_month); a shown rate is a whole number.
    hidden_rows = pub[pub["value"].isna()]
    assert len(hidden_rows) and hidden_rows[list(hidden[1:])].isna().all().all()
    shown = pub["value"].dropna().astype(float)
    assert len(shown) and (shown == shown.round()).all()


def _trust_month(states: dict[tuple[str, int], str]) -> pd.DataFrame:
    rows = []
    for (trust, month), state in states.items():
        r = dict.fromkeys(column_names(mart_trust_month), 0)
        r.update(trust_code=trust, reporting_month=date(2024, month, 1), completeness=state,
                 interventions=10, interventions_prone=2, people=6, people_prone=2,
                 occupied_bed_days=1000)  # fmt: skip
        rows.append(r)
    return pd.DataFrame(rows)


def test_periods_end_at_the_latest_month_every_trust_is_complete() -> None:
    frame = _trust_month({("A", 2): "complete", ("A", 5): "complete", ("ALL", 2): "complete",
                          ("ALL", 5): "partial"})  # fmt: skip
    found = [(p.label, p.start, p.end) for p in periods(frame)]
    assert found == [("2023-03..2024-02", date(2023, 3, 1), date(2024, 2, 1)),
                     ("FY2023/24", date(2023, 4, 1), date(2024, 3, 1)),
                     ("FY2024/25", date(2024, 4, 1), date(2025, 3, 1))]  # fmt: skip
    # No month with every trust: the latest month any trust is complete.
    only_partial = _trust_month({("A", 5): "complete", ("ALL", 5): "partial"})
    assert periods(only_partial)[0].label == "2023-06..2024-05"


def test_incomplete_trust_months_are_never_pooled() -> None:
    frame = _trust_month({("A", 1): "complete", ("A", 2): "no_interventions_file",
                          ("B", 1): "nil_return", ("ALL", 1): "complete"})  # fmt: skip
    out = build_funnel(frame, pd.DataFrame(columns=["trust_code", "ward_code", "reporting_month",
                                                    "interventions", "interventions_prone",
                                                    "people", "people_prone",
                                                    "occupied_bed_days"]))  # fmt: skip
    assert list(out.columns) == column_names(mart_funnel)
    a = out[(out["trust_code"] == "A") & (out["measure"] == RATE)]
    assert a["months"].tolist() == [1, 1]  # rolling and FY2023/24: February is not counted
    assert set(out["level"]) == {"trust"}
