"""pub_* views: NHS Digital suppression at its boundaries (4/5 counts, 99/100 bed days), on both
engines, and agreement with the Python rule in transforms.suppression."""

from __future__ import annotations

from datetime import date
from typing import Any

import numpy as np
import pandas as pd
import pytest

from transforms.suppression import suppress_count, suppress_rate
from warehouse.marts.trust_month import KINDS
from warehouse.schema import column_names, mart_equity_month, mart_trust_month
from warehouse.store import Warehouse

JAN = date(2024, 1, 1)


def _trust_row(trust: str, interventions: int, people: int, bed_days: int, **kinds: int) -> dict:
    row: dict[str, Any] = {
        "trust_code": trust, "reporting_month": JAN, "interventions": interventions,
        "incidents": interventions, "people": people, "occupied_bed_days": bed_days,
        "interventions_per_1000_obd": interventions / bed_days * 1000,
    }  # fmt: skip
    for kind in KINDS:
        count = kinds.get(kind, 0)
        row[f"interventions_{kind}"] = count
        row[f"interventions_per_1000_obd_{kind}"] = count / bed_days * 1000
        row[f"people_{kind}"] = kinds.get(f"people_{kind}", count)  # one person each by default
    row["completeness"] = "complete"
    return row


def _insert(wh: Warehouse, table: Any, rows: list[dict]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=column_names(table))
    with wh._transaction() as session:
        session.insert_frame(table, frame)
    return frame


def _published(wh: Warehouse, view: str, key: str = "trust_code") -> pd.DataFrame:
    return wh.query(f"SELECT * FROM {view}").set_index(key).sort_index()


def _value(frame: pd.DataFrame, row: str, column: str) -> int | float | None:
    value = frame.loc[row, column]
    return None if pd.isna(value) else value


BOUNDARIES = [
    # trust, interventions, people, bed days -> published interventions, people, rate
    ("N04", 4, 5, 1000, None, 5, None),  # numerator 4: count and rate suppressed
    ("N05", 5, 5, 1000, 5, 5, 5),  # numerator 5: shown; 5/1000*1000 = 5
    ("D99", 5, 5, 99, 5, 5, None),  # 99 bed days: rate suppressed, count shown
    ("D100", 5, 5, 100, 5, 5, 50),  # 100 bed days: 5/100*1000 = 50
    ("P04", 10, 4, 400, 10, None, None),  # people 4: people and the overall rate suppressed
    ("R07", 7, 7, 300, 5, 5, 23),  # 7 -> 5; 23.33 -> 23
    ("R08", 8, 8, 300, 10, 10, 27),  # 8 -> 10; 26.67 -> 27
    ("R13", 13, 12, 260, 15, 10, 50),  # 13 -> 15, 12 -> 10; exactly 50
]


def test_trust_month_suppression_boundaries(wh: Warehouse) -> None:
    _insert(wh, mart_trust_month, [_trust_row(t, i, p, d) for t, i, p, d, *_ in BOUNDARIES])
    pub = _published(wh, "pub_trust_month")
    for trust, _, _, _, interventions, people, rate in BOUNDARIES:
        got = (_value(pub, trust, "interventions"), _value(pub, trust, "people"),
               _value(pub, trust, "interventions_per_1000_obd"))  # fmt: skip
        assert got == (interventions, people, rate), trust
    assert "occupied_bed_days" not in pub.columns  # used to suppress, never published


def test_family_rates_use_their_own_numerator(wh: Warehouse) -> None:
    _insert(wh, mart_trust_month, [
        _trust_row("A", 20, 20, 100, prone=4, seclusion=5),
        _trust_row("B", 20, 20, 99, prone=5),
    ])  # fmt: skip
    pub = _published(wh, "pub_trust_month")
    assert _value(pub, "A", "interventions_prone") is None
    assert _value(pub, "A", "interventions_per_1000_obd_prone") is None
    assert _value(pub, "A", "interventions_seclusion") == 5
    assert _value(pub, "A", "interventions_per_1000_obd_seclusion") == 50
    assert _value(pub, "B", "interventions_prone") == 5
    assert _value(pub, "B", "interventions_per_1000_obd_prone") is None  # 99 bed days


def test_family_rates_need_5_people_of_that_type(wh: Warehouse) -> None:
    """Issue 12: a per-type rate had no people test; 10 prone restraints of 2 people hid
    nothing."""
    _insert(wh, mart_trust_month, [
        _trust_row("A", 20, 20, 200, prone=10, people_prone=2, seclusion=10, people_seclusion=5),
    ])  # fmt: skip
    pub = _published(wh, "pub_trust_month")
    assert _value(pub, "A", "interventions_prone") == 10  # the count is still published
    assert _value(pub, "A", "interventions_per_1000_obd_prone") is None
    assert _value(pub, "A", "people_prone") is None
    assert _value(pub, "A", "interventions_per_1000_obd_seclusion") == 50


def test_views_agree_with_the_python_rule(wh: Warehouse) -> None:
    mart = _insert(wh, mart_trust_month, [_trust_row(t, i, p, d) for t, i, p, d, *_ in BOUNDARIES])
    pub = _published(wh, "pub_trust_month")
    mart = mart.set_index("trust_code").sort_index()
    expected_people = suppress_count(mart["people"])
    expected_rate = suppress_rate(mart["interventions_per_1000_obd"], mart["interventions"],
                                  mart["occupied_bed_days"], mart["people"])  # fmt: skip
    assert pub["people"].astype("Int64").tolist() == expected_people.tolist()
    assert pub["interventions_per_1000_obd"].astype("Int64").tolist() == expected_rate.tolist()


def _equity_row(
    category: str, interventions: int, bed_days: int, ratio: float, people: int | None = None,
    dimension: str = "ethnic_group", is_reference: bool = False,
) -> dict:  # fmt: skip
    rate = interventions / bed_days * 1000
    return {
        "trust_code": "RX2", "reporting_month": JAN, "dimension": dimension,
        "category": category, "category_label": category, "category_order": 1,
        "is_reference": is_reference, "interventions": interventions,
        "occupied_bed_days": bed_days, "rate_per_1000_obd": rate, "rate_ci_lower": rate * 0.5,
        "rate_ci_upper": rate * 1.5, "rate_ratio": ratio, "rate_ratio_ci_lower": ratio / 2,
        "rate_ratio_ci_upper": ratio * 2,
        "people": interventions if people is None else people, "completeness": "complete",
    }  # fmt: skip


def test_equity_suppression_boundaries_and_ratio_rounding(wh: Warehouse) -> None:
    _insert(wh, mart_equity_month, [
        _equity_row("ref", 50, 1000, 1.0, is_reference=True),
        _equity_row("n4", 4, 1000, 3.14159),
        _equity_row("n5", 5, 1000, 3.14159),
        _equity_row("d99", 5, 99, 0.996),
        _equity_row("d100", 5, 100, 0.996),
        _equity_row("p4", 5, 100, 0.996, people=4),  # 5 interventions of 4 people
    ])  # fmt: skip
    pub = _published(wh, "pub_equity_month", key="category")
    columns = ["interventions", "rate_per_1000_obd", "rate_ci_lower", "rate_ci_upper",
               "rate_ratio", "rate_ratio_ci_lower", "rate_ratio_ci_upper"]  # fmt: skip
    got = {c: [_value(pub, c, k) for k in columns] for c in ["n4", "n5", "d99", "d100", "p4"]}
    assert got["n4"] == [None] * 7
    assert got["n5"] == pytest.approx([5, 5, 3, 8, 3.14, 1.57, 6.28])  # CI 2.5 -> 3, 7.5 -> 8
    assert got["d99"] == [5, *[None] * 6]
    assert got["d100"] == pytest.approx([5, 50, 25, 75, 1.0, 0.5, 1.99])
    assert got["p4"] == [5, *[None] * 6]  # fewer than 5 people: no rate, no ratio (issue 12)
    assert _value(pub, "p4", "people") is None and _value(pub, "n5", "people") == 5
    assert not np.isnan(pub.loc["d100", "rate_ratio"])


def test_a_ratio_is_hidden_when_its_reference_rate_is(wh: Warehouse) -> None:
    """Issue 12: a shown rate beside a ratio to a hidden reference gave the reference back
    (rate / ratio)."""
    _insert(wh, mart_equity_month, [
        _equity_row("5", 1, 100, 1.0, dimension="imd_quintile", is_reference=True),
        _equity_row("1", 73, 1000, 7.3, dimension="imd_quintile"),
    ])  # fmt: skip
    pub = _published(wh, "pub_equity_month", key="category")
    assert _value(pub, "1", "rate_per_1000_obd") == 73  # its own rate is fine
    for column in ("rate_ratio", "rate_ratio_ci_lower", "rate_ratio_ci_upper"):
        assert _value(pub, "1", column) is None
        assert _value(pub, "5", column) is None
