"""No disclosure through the `pub_*` views: no published rate rests on fewer than 5 people, and
no suppressed rate (or small count) can be recovered from the published values alone.

The data are `random_partitions`: three trusts x three months of twelve patients each, small
enough that most equity cells and many per-type cells are suppressed. The attacker sees only
`pub_trust_month` and `pub_equity_month`; the true values come from the marts to judge the
attempt. Attempts (issue 12):
- ratio x reference rate, for a category whose rate is hidden but whose ratio is shown;
- rate / ratio, for a reference category whose rate is hidden beside a shown rate and ratio;
- total minus the shown categories, at the count level, for a dimension (or the set of
  intervention families) with exactly one hidden count.
A rate "comes back" when the attempt gives the whole number it would have been published as; a
count when it gives the hidden count itself (1-4: a hidden zero discloses nobody).
"""

from __future__ import annotations

import math

import pandas as pd

from tests.warehouse.helpers import random_partitions
from transforms.codes import FAMILIES
from warehouse.marts.trust_month import KINDS
from warehouse.store import Warehouse

KEYS = ["trust_code", "reporting_month"]
CELL = [*KEYS, "dimension", "category"]


def _build(wh: Warehouse) -> tuple[pd.DataFrame, ...]:
    for load in random_partitions():
        wh.replace_partition(load)
    wh.refresh_marts(None)
    names = ("pub_trust_month", "pub_equity_month", "mart_trust_month", "mart_equity_month")
    frames = [wh.query(f"SELECT * FROM {name}") for name in names]
    for frame in frames:
        frame["reporting_month"] = pd.to_datetime(frame["reporting_month"])
    return tuple(frames)


def _published_value(rate: float) -> int:
    return int(math.copysign(math.floor(abs(rate) + 0.5), rate))


def test_no_published_rate_rests_on_fewer_than_5_people(wh: Warehouse) -> None:
    pub_tm, pub_eq, mart_tm, mart_eq = _build(wh)
    tm = pub_tm.merge(mart_tm, on=KEYS, suffixes=("", "_true"))
    pairs = [("interventions_per_1000_obd", "people_true", "interventions_true")]
    pairs += [(f"interventions_per_1000_obd_{k}", f"people_{k}_true", f"interventions_{k}_true")
              for k in KINDS]  # fmt: skip
    shown_rates = 0
    for rate, people, numerator in pairs:
        shown = tm[tm[rate].notna()]
        shown_rates += len(shown)
        assert (shown[people] >= 5).all(), rate
        assert (shown[numerator] >= 5).all() and (shown["occupied_bed_days"] >= 100).all(), rate
    eq = pub_eq.merge(mart_eq, on=CELL, suffixes=("", "_true"))
    shown = eq[eq["rate_per_1000_obd"].notna()]
    assert (shown["people_true"] >= 5).all()
    assert (shown["interventions_true"] >= 5).all() and (shown["occupied_bed_days"] >= 100).all()
    # the rule bites: cells with 5+ interventions by fewer than 5 people exist and are hidden
    few = eq[(eq["interventions_true"] >= 5) & (eq["people_true"] < 5)]
    assert len(few) and few["rate_per_1000_obd"].isna().all()
    assert shown_rates and len(shown)  # and something is still published


def test_no_suppressed_rate_can_be_recovered_from_ratios(wh: Warehouse) -> None:
    _, pub_eq, _, mart_eq = _build(wh)
    truth = mart_eq.set_index(CELL)["rate_per_1000_obd"]
    ref = pub_eq[pub_eq["is_reference"].astype(bool)][[*KEYS, "dimension", "category",
                                                        "rate_per_1000_obd"]]  # fmt: skip
    cells = pub_eq.merge(ref, on=[*KEYS, "dimension"], suffixes=("", "_ref"), how="left")
    recovered = []
    attempts = 0
    for row in cells.itertuples(index=False):
        key = (row.trust_code, row.reporting_month, row.dimension, row.category)
        ref_key = (row.trust_code, row.reporting_month, row.dimension, row.category_ref)
        if pd.isna(row.rate_ratio) or row.is_reference:
            continue
        if pd.isna(row.rate_per_1000_obd) and pd.notna(row.rate_per_1000_obd_ref):
            attempts += 1  # hidden rate = ratio x shown reference rate
            guess, hidden = row.rate_ratio * row.rate_per_1000_obd_ref, truth[key]
            if pd.notna(hidden) and _published_value(guess) == _published_value(hidden):
                recovered.append(("ratio x reference", key))
        if pd.notna(row.rate_per_1000_obd) and pd.isna(row.rate_per_1000_obd_ref):
            attempts += 1  # hidden reference rate = shown rate / ratio
            hidden = truth[ref_key]
            if row.rate_ratio and pd.notna(hidden):
                guess = row.rate_per_1000_obd / row.rate_ratio
                if _published_value(guess) == _published_value(hidden):
                    recovered.append(("rate / ratio", ref_key))
    assert recovered == [], f"{len(recovered)} of {attempts} attempts recovered a hidden rate"
    # a ratio is only ever shown between two shown rates
    ratios = cells[cells["rate_ratio"].notna() & ~cells["is_reference"].astype(bool)]
    assert ratios["rate_per_1000_obd"].notna().all()
    assert ratios["rate_per_1000_obd_ref"].notna().all()


def _differencing(total: pd.Series, parts: pd.DataFrame, truth: pd.DataFrame) -> list[tuple]:
    """For each group with exactly one hidden part: total - sum(shown parts) vs the truth."""
    out = []
    for key, group in parts.groupby(level=list(range(parts.index.nlevels - 1))):
        hidden = group[group["published"].isna()]
        if len(hidden) != 1 or pd.isna(total.get(key)):
            continue
        guess = total[key] - group["published"].sum()
        true = truth.loc[hidden.index[0]]
        if 0 < true < 5 and guess == true:
            out.append((hidden.index[0], int(true)))
    return out


def test_no_hidden_count_comes_back_from_totals_minus_shown_categories(wh: Warehouse) -> None:
    pub_tm, pub_eq, mart_tm, mart_eq = _build(wh)
    total = pub_tm.set_index(KEYS)["interventions"]
    recovered = []
    # equity: every dimension's categories add up to the trust-month's interventions
    for dimension, rows in pub_eq.groupby("dimension"):
        parts = rows.set_index([*KEYS, "category"])[["interventions"]]
        parts = parts.rename(columns={"interventions": "published"})
        true = mart_eq[mart_eq["dimension"] == dimension].set_index([*KEYS, "category"])
        recovered += _differencing(total, parts, true["interventions"])
    # the intervention families add up to the total too
    families = [f"interventions_{f}" for f in FAMILIES]
    fam = pub_tm.melt(id_vars=KEYS, value_vars=families, var_name="kind", value_name="published")
    fam = fam.set_index([*KEYS, "kind"])
    true = mart_tm.melt(id_vars=KEYS, value_vars=families, var_name="kind", value_name="true")
    true = true.set_index([*KEYS, "kind"])["true"]
    recovered += _differencing(total, fam, true)
    assert recovered == []
