"""mart_equity_month: intervention rates by equity dimension, with CIs and rate ratios.

People-based equity (domain.md §3.6): `inpatients` per category (distinct identified patients
with a ward stay) and people restricted per 100 of them, with a Wilson score interval
(`transforms.proportions`), beside the intervention rate.

Grain: one row per (trust or `ALL`, month, dimension, category) seen in either fact table. The
numerator is interventions (MHS77 unit) of people in the category; the denominator is occupied
bed days of ward stays of people in the category (the NHS Digital convention, domain.md §3.2), so a
rate is "per 1,000 OBD among inpatients in this group". Missing values become the category
`Unknown`. Rate CIs and rate ratios come from `transforms.rates` (Byar's / exact Poisson; Wald /
exact conditional). Categories that say nothing about the person (not stated, not known,
unknown) stay visible with their rate but get NULL ratios, as domain.md §5.4 recommends.
"""

from __future__ import annotations

from typing import Final

import numpy as np
import pandas as pd

from transforms import codes
from transforms.proportions import wilson
from transforms.rates import rate_ci, rate_ratio
from warehouse.marts.trust_month import (
    COMPLETE,
    KEYS,
    MEASURED,
    NO_FILES,
    NO_INTERVENTIONS,
    NO_WARD_STAYS,
    SUBMISSION_COLUMNS,
    completeness,
    distinct_interventions,
    per_1000,
    rows_in,
)
from warehouse.schema import ALL_TRUSTS, column_names, mart_equity_month

UNKNOWN: Final = "Unknown"

# Reference category per dimension (ratio 1). Ethnicity: White / White British (A), the
# reference NHS Digital's own White British vs other split implies (domain.md §5.4). IMD: quintile
# 5, least deprived, so Q1/Q5 is the deprivation gradient (domain.md §5.4). LDA: people not
# flagged, so the ratio reads as the excess for people with a learning disability or autism. Age
# and gender have no national reference: 35-44 is the middle adult band (neither the young-people
# band of concern nor older adults), and male (1) is the first national gender code; analytic
# choices.
EQUITY_REFERENCE: Final[dict[str, str]] = {
    "ethnic_group": "White",
    "ethnic_category": "A",
    "age_band": "35-44",
    "gender": "1",
    "imd_quintile": "5",
    "lda": "N",
}
# Categories that carry no information about the person: shown, but never compared.
NOT_COMPARED: Final[dict[str, frozenset[str]]] = {
    "ethnic_group": frozenset({"Not Stated", "Not Known", UNKNOWN}),
    "ethnic_category": frozenset(codes.ETHNICITY_NOT_STATED_OR_KNOWN | {UNKNOWN}),
    "gender": frozenset({"X", UNKNOWN}),
}
_LDA: Final[dict[object, str]] = {True: "Y", False: "N", "Y": "Y", "N": "N"}  # boolean in facts
_IMD_LABELS: Final = {"1": "1 - most deprived", "5": "5 - least deprived"}
LABELS: Final[dict[str, dict[str, str]]] = {
    "ethnic_group": {g: g for g in codes.ETHNIC_GROUP_ORDER},
    "ethnic_category": {k: v[0] for k, v in codes.ETHNIC_CATEGORIES.items()},
    "age_band": {label: label for label, _ in codes.AGE_BANDS},
    "gender": dict(codes.DERIVED_GENDER),
    "imd_quintile": {str(q): _IMD_LABELS.get(str(q), str(q)) for q in range(1, 6)},
    "lda": {"Y": "Learning disability or autism", "N": "Not flagged"},
}
DIMENSIONS: Final = tuple(LABELS)


def categories(frame: pd.DataFrame) -> pd.DataFrame:
    """Each fact row's category in every dimension (text; `Unknown` when missing)."""
    decile = pd.to_numeric(frame["imd_decile"], errors="coerce")
    quintile = ((decile + 1) // 2).astype("Int64").astype("str").where(decile.notna(), UNKNOWN)
    lda = frame["lda_flag"].map(_LDA).fillna(UNKNOWN)
    return pd.DataFrame(
        {
            "ethnic_group": frame["ethnic_group"].fillna(UNKNOWN),
            "ethnic_category": frame["ethnic_category_code"].fillna(UNKNOWN),
            "age_band": frame["age_band"].fillna(UNKNOWN),
            "gender": frame["gender_code"].fillna(UNKNOWN),
            "imd_quintile": quintile,
            "lda": lda,
        },
        index=frame.index,
    ).astype("str")


def _long(frame: pd.DataFrame, value: pd.Series, name: str, trust: pd.Series) -> pd.Series:
    cats = categories(frame)
    cats["trust_code"], cats["reporting_month"], cats[name] = trust, frame["reporting_month"], value
    long = cats.melt(id_vars=[*KEYS, name], var_name="dimension", value_name="category")
    return long.groupby([*KEYS, "dimension", "category"])[name].sum()


def _long_people(frame: pd.DataFrame, trust: pd.Series) -> pd.Series:
    """Distinct known patient_key per (trust, month, dimension, category)."""
    cats = categories(frame)
    cats["trust_code"], cats["reporting_month"] = trust, frame["reporting_month"]
    cats["_person"] = frame["patient_key"]
    long = cats.melt(id_vars=[*KEYS, "_person"], var_name="dimension", value_name="category")
    return long.groupby([*KEYS, "dimension", "category"])["_person"].nunique().rename("people")


def _cells(ri: pd.DataFrame, stays: pd.DataFrame, trust: str | None) -> pd.DataFrame:
    ri_trust = ri["trust_code"] if trust is None else pd.Series(trust, index=ri.index)
    st_trust = stays["trust_code"] if trust is None else pd.Series(trust, index=stays.index)
    ones = pd.Series(1, index=ri.index, dtype="int64")
    num = _long(ri, ones, "interventions", ri_trust)
    people = _long_people(ri, ri_trust)
    inpatients = _long_people(stays, st_trust).rename("inpatients")
    den = _long(stays, stays["occupied_bed_days"].astype("int64"), "occupied_bed_days", st_trust)
    out = pd.concat([num, people, den, inpatients], axis=1).fillna(0).astype("int64")
    out = out.reset_index()
    out["reporting_month"] = pd.to_datetime(out["reporting_month"]).dt.date
    return out


def _only(frame: pd.DataFrame, keep: set[tuple[str, object]]) -> pd.DataFrame:
    return frame.loc[rows_in(frame, keep)]


def _apply_completeness(cells: pd.DataFrame, state: pd.DataFrame) -> pd.DataFrame:
    """The trust-month rule of mart_trust_month, cell by cell (`ALL` cells are `complete`
    because only measured trust-months were summed into them)."""
    cells = cells.merge(state, on=KEYS, how="left")
    cells["completeness"] = cells["completeness"].fillna(COMPLETE)
    no_ri = cells["completeness"].isin([NO_INTERVENTIONS, NO_FILES])
    no_ws = cells["completeness"].isin([NO_WARD_STAYS, NO_FILES])
    for column in ("interventions", "people"):
        cells[column] = cells[column].astype("Int64").mask(no_ri)
    cells["occupied_bed_days"] = cells["occupied_bed_days"].astype("Int64").mask(no_ws)
    cells["inpatients"] = cells["inpatients"].astype("Int64").mask(no_ws)
    return cells


def _with_statistics(cells: pd.DataFrame) -> pd.DataFrame:
    measured = cells["completeness"].isin(MEASURED).to_numpy()
    a = cells["interventions"].astype("float64").where(measured)
    obd = cells["occupied_bed_days"].astype("float64").where(measured)
    cells["rate_per_1000_obd"] = per_1000(a, obd)
    cells["rate_ci_lower"], cells["rate_ci_upper"] = rate_ci(a, obd.where(obd > 0))
    people = cells["people"].astype("float64").where(measured)
    inpatients = cells["inpatients"].astype("float64").where(measured)
    (
        cells["people_per_100_inpatients"],
        cells["people_rate_ci_lower"],
        cells["people_rate_ci_upper"],
    ) = wilson(people, inpatients)
    ref_key = cells["dimension"].map(EQUITY_REFERENCE)
    cells["is_reference"] = cells["category"].eq(ref_key)
    refs = pd.DataFrame({"_b": a, "_pt0": obd}).assign(
        **{k: cells[k] for k in [*KEYS, "dimension"]}
    )[cells["is_reference"].to_numpy()]
    merged = cells[[*KEYS, "dimension"]].merge(refs, on=[*KEYS, "dimension"], how="left")
    ratio, lower, upper = rate_ratio(a, obd, merged["_b"], merged["_pt0"])
    compared = ~pd.Series(
        [
            c in NOT_COMPARED.get(d, {UNKNOWN})
            for d, c in zip(cells["dimension"], cells["category"], strict=True)
        ],
        index=cells.index,
    )
    is_ref = cells["is_reference"].to_numpy()
    cells["rate_ratio"] = np.where(compared, ratio, np.nan)
    cells["rate_ratio_ci_lower"] = np.where(compared & ~is_ref, lower, np.nan)
    cells["rate_ratio_ci_upper"] = np.where(compared & ~is_ref, upper, np.nan)
    return cells


def _order(dimension: str, category: str) -> int:
    labels = list(LABELS[dimension])
    return labels.index(category) + 1 if category in labels else 99


def build_equity_month(
    interventions: pd.DataFrame, stays: pd.DataFrame, submissions: pd.DataFrame | None = None
) -> pd.DataFrame:
    """mart_equity_month rows (columns in table order) for every trust-month and month given.

    `submissions` as for `build_trust_month` (None: facts alone say what is loaded)."""
    if submissions is None:
        submissions = pd.DataFrame(columns=SUBMISSION_COLUMNS)
    ri = distinct_interventions(interventions)
    state = completeness(submissions, ri, stays)
    keep = {
        (t, m)
        for t, m, c in zip(
            state["trust_code"], state["reporting_month"], state["completeness"], strict=True
        )
        if c in MEASURED
    }
    everyone = _cells(_only(ri, keep), _only(stays, keep), ALL_TRUSTS)
    cells = pd.concat([_cells(ri, stays, None), everyone], ignore_index=True)
    cells = _with_statistics(_apply_completeness(cells, state))
    cells["reporting_month"] = pd.to_datetime(cells["reporting_month"])
    pairs = list(zip(cells["dimension"], cells["category"], strict=True))
    cells["category_label"] = [LABELS[d].get(c, c) for d, c in pairs]
    cells["category_order"] = [_order(d, c) for d, c in pairs]
    cells = cells.sort_values([*KEYS, "dimension", "category_order", "category"], ignore_index=True)
    return cells[column_names(mart_equity_month)]
