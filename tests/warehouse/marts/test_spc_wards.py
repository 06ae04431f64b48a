"""Ward SPC series and change annotations (domain.md §4.7) on hand-built mart rows."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from transforms.spc import xmr
from transforms.trust_config import SpcSettings
from warehouse.marts.spc_mart import build_spc

MONTHS = [date(2024 + (m // 12), m % 12 + 1, 1) for m in range(20)]
RATES = [30.0, 32, 29, 31, 33, 30, 28, 31, 32, 30, 12, 11, 13, 12, 10, 12, 11, 13, 12, 11]


def _trust_month() -> pd.DataFrame:
    columns = {"trust_code": "RX2", "reporting_month": MONTHS, "completeness": "complete"}
    return pd.DataFrame({**columns, "interventions_per_1000_obd": RATES})


def _ward_month(points: int = 20) -> pd.DataFrame:
    rows = []
    for ward in ("OAK", "ELM", "UNKNOWN"):
        rows.append(pd.DataFrame({
            "trust_code": "RX2", "ward_code": ward, "reporting_month": MONTHS[:points],
            "completeness": "complete", "interventions_per_1000_obd": RATES[:points],
        }))  # fmt: skip
    return pd.concat(rows, ignore_index=True)


def _changes(ward: str, recalculate: bool = True) -> pd.DataFrame:
    return pd.DataFrame({"trust_code": ["RX2"], "ward_code": [ward],
                         "from_month": [date(2024, 11, 1)], "label": ["Safewards"],
                         "recalculate": [recalculate]})  # fmt: skip


def _series(out: pd.DataFrame, ward: str) -> pd.DataFrame:
    mine = out[(out["ward_code"] == ward) & (out["measure"] == "interventions_per_1000_obd")]
    return mine.sort_values("reporting_month", ignore_index=True)


def test_ward_series_sit_beside_the_trust_series_without_the_unknown_row() -> None:
    out = build_spc(_trust_month(), {}, None, _ward_month())
    assert set(out["ward_code"]) == {"ALL", "OAK", "ELM"}
    # a ward series with fewer points than the rule profile's minimum (13) is not carried
    short = build_spc(_trust_month(), {}, None, _ward_month(points=12))
    assert set(short["ward_code"]) == {"ALL"}


def test_a_ward_change_recalculates_that_wards_limits_from_its_month() -> None:
    out = build_spc(_trust_month(), {}, None, _ward_month(), _changes("OAK"))
    oak, elm, trust = _series(out, "OAK"), _series(out, "ELM"), _series(out, "ALL")
    assert oak["limits_partition"].tolist() == [0] * 10 + [1] * 10
    assert elm["limits_partition"].tolist() == [0] * 20
    assert trust["limits_partition"].tolist() == [0] * 20
    after = xmr(
        RATES[10:], minimum_points=2
    )  # the new limits rest on the points from the change on only
    assert np.allclose(oak["mean"].iloc[10:], after["mean"])
    assert np.allclose(oak["upper_limit"].iloc[10:], after["upper_limit"])
    assert oak["mean"].iloc[10] < oak["mean"].iloc[9]


def test_a_whole_trust_change_recalculates_every_series_and_an_unflagged_one_none() -> None:
    out = build_spc(_trust_month(), {}, None, _ward_month(), _changes("ALL"))
    for ward in ("ALL", "OAK", "ELM"):
        assert _series(out, ward)["limits_partition"].tolist() == [0] * 10 + [1] * 10
    kept = build_spc(_trust_month(), {}, None, _ward_month(), _changes("ALL", recalculate=False))
    assert set(kept["limits_partition"]) == {0}
    own = {"RX2": SpcSettings(recalculate_from=["2024-06"])}
    both = build_spc(_trust_month(), own, None, _ward_month(), _changes("OAK"))
    assert _series(both, "OAK")["limits_partition"].tolist() == [0] * 5 + [1] * 5 + [2] * 10
