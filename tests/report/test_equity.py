"""Twelve-month rate ratios with suppression, on a hand-built mart_equity_month."""

from __future__ import annotations

import math
from datetime import date

import pandas as pd
import pytest

from report.equity import period_ratios

GROUPS = [  # category, order, is reference, interventions, bed days, people per month
    ("White", 1, True, 5, 100, 5),
    ("Black or Black British", 4, False, 10, 100, 6),
    ("Asian or Asian British", 3, False, 0, 100, 0),
    ("Mixed", 2, False, 6, 100, 1),  # 72 interventions, but by one person a month
    ("Not Stated", 6, False, 1, 100, 1),
]


def equity_rows() -> pd.DataFrame:
    rows = []
    for i in range(13):  # Jan 2023 .. Jan 2024; January 2023 falls outside the 12 months
        month = date(2023 + i // 12, i % 12 + 1, 1)
        for category, order, ref, a, pt, people in GROUPS:
            if i == 0:
                a = 100  # would swamp every ratio if it were counted
            if category == "Asian or Asian British" and i == 5:
                a, people = 4, 4  # 4 in the period: suppressed
            rows.append(
                {
                    "trust_code": "ALL",
                    "reporting_month": month,
                    "dimension": "ethnic_group",
                    "category": category,
                    "category_label": category,
                    "category_order": order,
                    "is_reference": ref,
                    "interventions": a,
                    "occupied_bed_days": pt,
                    "people": people,
                }
            )
    return pd.DataFrame(rows)


def test_ratios_over_the_last_twelve_months_with_small_numbers_suppressed() -> None:
    out = period_ratios(equity_rows(), "ALL").set_index("category")
    assert out["period_start"].iloc[0] == date(2023, 2, 1)
    assert out["period_end"].iloc[0] == date(2024, 1, 1)
    assert out["status"].to_dict() == {
        "White": "reference", "Asian or Asian British": "suppressed",
        "Black or Black British": "shown", "Mixed": "suppressed", "Not Stated": "not_compared",
    }  # fmt: skip
    # White 60 / 1,200 OBD = 50 per 1,000; Black 120 / 1,200 = 100: ratio 2, Wald CI.
    black = out.loc["Black or Black British"]
    spread = math.exp(1.959964 * math.sqrt(1 / 120 + 1 / 60))
    assert black["rate_ratio"] == pytest.approx(2.0)
    assert black["ci_lower"] == pytest.approx(2.0 / spread, rel=1e-5)
    assert black["ci_upper"] == pytest.approx(2.0 * spread, rel=1e-5)
    assert out.loc["White", "rate_ratio"] == 1.0 and pd.isna(out.loc["White", "ci_lower"])
    assert pd.isna(out.loc["Asian or Asian British", "rate_ratio"])
    assert pd.isna(out.loc["Not Stated", "rate_ratio"])
    # Published numbers: counts to the nearest 5 (* below 5), rates whole.
    assert out.loc["White", "interventions"] == 60 and out.loc["White", "rate_per_1000_obd"] == 50
    assert out.loc["Black or Black British", "interventions"] == 120
    assert out.loc["Black or Black British", "rate_per_1000_obd"] == 100
    assert out.loc["Not Stated", "interventions"] == 10
    assert pd.isna(out.loc["Asian or Asian British", "interventions"])
    assert pd.isna(out.loc["Asian or Asian British", "rate_per_1000_obd"])
    # 72 interventions but at most one person a month: neither rate nor ratio is shown (issue 12)
    assert out.loc["Mixed", "interventions"] == 70
    assert pd.isna(out.loc["Mixed", "rate_per_1000_obd"]) and pd.isna(
        out.loc["Mixed", "rate_ratio"]
    )


def test_no_rows_for_an_unknown_trust() -> None:
    assert period_ratios(equity_rows(), "RX2").empty
