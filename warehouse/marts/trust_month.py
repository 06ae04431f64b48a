"""mart_trust_month from the facts and submissions of one or more months: pure pandas.

Grain: one row per (trust, month) present in either fact table or in `etl_submission` (a month
whose only file was rejected still gets its row, saying why it has no measures), plus one `ALL`
row per month for the collaborative. Definitions follow NHS Digital's RI statistics
(domain.md §3.1): interventions = distinct (incident_id, intervention_id) (MHS77), incidents =
distinct incident (MHS136), people = distinct known patient_key among interventions (MHS76; an
intervention whose person has neither a usable NHS number nor a local id counts as an
intervention, not as a person), occupied bed days = sum of ward-stay bed days; rates are per
1,000 OBD.

Completeness (domain.md §3.5): a trust-month's measures exist only when both datasets are loaded
for it. `completeness` says which case a row is:
- `complete`: both files loaded;
- `nil_return`: both loaded, the interventions file a header-only nil return (a real zero);
- `no_interventions_file`: no interventions file loaded (none arrived, or it was rejected):
  interventions, incidents, people and every rate are NULL, bed days are kept;
- `no_ward_stays_file`: no ward stays file loaded: bed days and every rate are NULL, the
  intervention counts are kept;
- `no_files`: neither loaded (every file of the month was rejected): every measure is NULL.
A missing file is never a zero (an outer join filled with zeros was the bug this replaces).

`interventions_without_ward_stay` counts, per trust-month with both files, the interventions
with no ward stay of the same patient overlapping their start (`unlinked_interventions`); the
trust's feedback shows it as the `intervention_without_ward_stay` warning.
`interventions_longer_than_stay` counts the seclusions and segregations that do not fit inside
the patient's stays in the month's ward stays file (warehouse.marts.stay_bounds), shown as the
`intervention_longer_than_stay` warning.

`ALL` rows sum only the trust-months whose measures exist (`complete` or `nil_return`);
`trusts_included` says how many, `trusts_expected` how many trusts the collaborative has
(`dim_trust`), and `completeness` is `complete` when every expected trust is included, else
`partial` (every measure NULL when none is). Incident ids are only trust-unique, so incidents are
counted per trust; people are distinct across the collaborative, so a patient restrained in two
trusts in one month counts once and `ALL.people` can be below the sum.
"""

from __future__ import annotations

from typing import Final

import numpy as np
import pandas as pd

from transforms.codes import FAMILIES
from warehouse.marts import measures, stay_bounds
from warehouse.schema import ALL_TRUSTS, column_names, mart_trust_month

KEYS: Final = ["trust_code", "reporting_month"]
KINDS: Final = (*FAMILIES, "prone", "rapid_tranquillisation")
RI: Final = "restrictive_interventions"
WS: Final = "ward_stays"

COMPLETE: Final = "complete"
NIL_RETURN: Final = "nil_return"
NO_INTERVENTIONS: Final = "no_interventions_file"
NO_WARD_STAYS: Final = "no_ward_stays_file"
NO_FILES: Final = "no_files"
PARTIAL: Final = "partial"  # `ALL` only: some expected trusts are not included
MEASURED: Final = frozenset({COMPLETE, NIL_RETURN})
"""Completeness values whose measures exist (charted, summed into `ALL`)."""

INTERVENTION_COUNTS: Final = [
    "interventions", "incidents", "people", *(f"interventions_{k}" for k in KINDS),
    *(f"people_{k}" for k in KINDS),
]  # fmt: skip
RATES: Final = ["interventions_per_1000_obd", *(f"interventions_per_1000_obd_{k}" for k in KINDS)]
SUBMISSION_COLUMNS: Final = [*KEYS, "dataset", "is_loaded", "rows_received"]
"""What the builder needs of `etl_submission`: per (trust, month, dataset) whether a version is
loaded, and the loaded version's rows received (0 = a header-only nil return)."""


def distinct_interventions(interventions: pd.DataFrame) -> pd.DataFrame:
    """One row per (trust, month, incident, intervention): the MHS77 counting unit."""
    return interventions.drop_duplicates([*KEYS, "incident_id", "intervention_id"])


def per_1000(count: pd.Series, bed_days: pd.Series) -> pd.Series:
    """count / bed days × 1000; NaN (NULL) where bed days are 0 or either is missing."""
    days = pd.to_numeric(bed_days, errors="coerce").astype("float64")
    counts = pd.to_numeric(count, errors="coerce").astype("float64")
    return (counts / days.where(days > 0) * 1000.0).astype("float64")


def _month_keys(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame[KEYS].copy()
    out["reporting_month"] = pd.to_datetime(out["reporting_month"]).dt.date
    return out


def _distinct_month_keys(frame: pd.DataFrame) -> pd.DataFrame:
    """`_month_keys` of each (trust, month) once, in order of first appearance."""
    return _month_keys(frame[KEYS].drop_duplicates())


def rows_in(frame: pd.DataFrame, keep: set[tuple[str, object]]) -> np.ndarray:
    """Boolean mask: the rows whose (trust, month as a date) is in `keep`. Decided once per
    distinct trust-month, not once per row."""
    keys = frame[KEYS]
    group = keys.groupby(KEYS, sort=False, dropna=False).ngroup().to_numpy()
    wanted = [tuple(k) in keep for k in _distinct_month_keys(keys).to_numpy()]
    return np.array(wanted, dtype=bool)[group]


def completeness(
    submissions: pd.DataFrame, interventions: pd.DataFrame, stays: pd.DataFrame
) -> pd.DataFrame:
    """`completeness` per trust-month seen in the submissions or either fact table.

    A dataset counts as loaded when a version of it is loaded (or, for facts written without a
    submission row, when it has facts); a loaded interventions file that received no rows is a
    nil return.
    """
    subs = submissions.copy()
    subs["reporting_month"] = pd.to_datetime(subs["reporting_month"]).dt.date
    loaded = subs[subs["is_loaded"].astype(bool)]
    keys = pd.concat(
        [_month_keys(subs), _distinct_month_keys(interventions), _distinct_month_keys(stays)],
        ignore_index=True,
    ).drop_duplicates(ignore_index=True)

    def has(dataset: str, facts: pd.DataFrame) -> pd.Series:
        rows = loaded[loaded["dataset"] == dataset][KEYS]
        known = set(map(tuple, rows.to_numpy())) | set(
            map(tuple, _distinct_month_keys(facts).to_numpy())
        )
        return pd.Series([tuple(k) in known for k in keys.to_numpy()], index=keys.index)

    ri, ws = has(RI, interventions), has(WS, stays)
    ri_loaded = loaded[loaded["dataset"] == RI]
    received = {
        (t, m): r
        for t, m, r in zip(
            ri_loaded["trust_code"],
            ri_loaded["reporting_month"],
            ri_loaded["rows_received"],
            strict=True,
        )
    }
    fact_keys = set(map(tuple, _distinct_month_keys(interventions).to_numpy()))
    nil = pd.Series(
        [
            (t, m) not in fact_keys and pd.notna(received.get((t, m))) and received[(t, m)] == 0
            for t, m in keys.to_numpy()
        ],
        index=keys.index,
    )
    state = np.select(
        [ri & ws & nil, ri & ws, ws, ri],
        [NIL_RETURN, COMPLETE, NO_INTERVENTIONS, NO_WARD_STAYS],
        default=NO_FILES,
    )
    keys["completeness"] = pd.Series(state, index=keys.index, dtype="str")
    return keys


def _counts(ri: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    flags = pd.DataFrame(
        {f: ri["intervention_family"].eq(f) for f in FAMILIES}
        | {
            "prone": ri["is_prone"].fillna(False).astype(bool),
            "rapid_tranquillisation": ri["is_rapid_tranquillisation"].fillna(False).astype(bool),
        },
        index=ri.index,
    ).astype("int64")
    flags[by] = ri[by]
    grouped = flags.groupby(by, sort=False)
    out = grouped[list(KINDS)].sum().add_prefix("interventions_")
    out["interventions"] = grouped.size()
    out["incidents"] = (
        ri.assign(_i=ri["trust_code"] + "\x1f" + ri["incident_id"])
        .groupby(by, sort=False)["_i"]
        .nunique()
    )
    # nunique skips NA: a person with no usable identifier is not a person we can count
    out["people"] = ri.groupby(by, sort=False)["patient_key"].nunique()
    for kind in KINDS:
        person = ri["patient_key"].where(flags[kind].astype(bool))
        out[f"people_{kind}"] = person.groupby([ri[c] for c in by], sort=False).nunique()
    return out


def _one_level(ri: pd.DataFrame, stays: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    bed_days = stays.groupby(by, sort=False)["occupied_bed_days"].sum().rename("occupied_bed_days")
    out = _counts(ri, by).join(bed_days, how="outer")
    out = out.join(measures.group_measures(ri, stays, by), how="outer").reset_index()
    # zeros here are real: `_apply_completeness` turns a missing dataset's counts into NULL
    count_cols = [*INTERVENTION_COUNTS, "occupied_bed_days"]
    out[count_cols] = out[count_cols].fillna(0).astype("int64")
    out = measures.fill_zeros(out)
    out["reporting_month"] = pd.to_datetime(out["reporting_month"]).dt.date
    return out


def _with_rates(out: pd.DataFrame) -> pd.DataFrame:
    out["interventions_per_1000_obd"] = per_1000(out["interventions"], out["occupied_bed_days"])
    for kind in KINDS:
        out[f"interventions_per_1000_obd_{kind}"] = per_1000(
            out[f"interventions_{kind}"], out["occupied_bed_days"]
        )
    return measures.with_ratios(out)


def _apply_completeness(out: pd.DataFrame) -> pd.DataFrame:
    """NULL every count that depends on a dataset that is not loaded, and every rate."""
    state = out["completeness"]
    no_ri = state.isin([NO_INTERVENTIONS, NO_FILES])
    no_ws = state.isin([NO_WARD_STAYS, NO_FILES])
    for column in INTERVENTION_COUNTS:
        out[column] = out[column].astype("Int64").mask(no_ri)
    out["occupied_bed_days"] = out["occupied_bed_days"].astype("Int64").mask(no_ws)
    measured = state.isin(MEASURED)
    for column in RATES:
        out[column] = out[column].where(measured)
    return measures.mask(out, no_ri, no_ws, measured)


def unlinked_interventions(ri: pd.DataFrame, stays: pd.DataFrame) -> pd.Series:
    """Per trust-month, interventions with no ward stay of the same patient overlapping their
    start date (stay_start <= start date <= stay_end, an open stay has no end): the
    `intervention_without_ward_stay` check. An intervention whose person has no usable
    identifier cannot be linked and counts. NHS Digital starts from the hospital spells and
    joins interventions to them (domain.md §1.10), so such rows fall out of its counts."""
    if ri.empty:
        return pd.Series(dtype="int64", name="interventions_without_ward_stay")
    unit = [*KEYS, "incident_id", "intervention_id"]
    have = ri[[*unit, "patient_key", "start_date_local"]].dropna(subset=["patient_key"])
    spans = stays[[*KEYS, "patient_key", "stay_start", "stay_end"]].dropna(subset=["patient_key"])
    pairs = have.merge(spans, on=[*KEYS, "patient_key"], how="inner")
    start = pd.to_datetime(pairs["start_date_local"])
    overlaps = (pd.to_datetime(pairs["stay_start"]) <= start) & (
        pairs["stay_end"].isna() | (pd.to_datetime(pairs["stay_end"]) >= start)
    )
    linked = pairs.loc[overlaps.to_numpy(dtype=bool), unit].drop_duplicates()
    total = ri.groupby(KEYS, sort=False).size()
    found = linked.groupby(KEYS, sort=False).size().reindex(total.index, fill_value=0)
    out = (total - found).rename("interventions_without_ward_stay").reset_index()
    out["reporting_month"] = pd.to_datetime(out["reporting_month"]).dt.date
    return out.set_index(KEYS)["interventions_without_ward_stay"]


def _trust_rows(ri: pd.DataFrame, stays: pd.DataFrame, state: pd.DataFrame) -> pd.DataFrame:
    counts = _one_level(ri, stays, KEYS)
    out = state.merge(counts, on=KEYS, how="left")
    count_cols = [*INTERVENTION_COUNTS, "occupied_bed_days"]
    out[count_cols] = out[count_cols].fillna(0).astype("int64")
    out = _apply_completeness(_with_rates(measures.fill_zeros(out)))
    unlinked = unlinked_interventions(ri, stays)
    keys = pd.MultiIndex.from_frame(out[KEYS])
    counted = pd.Series(unlinked.reindex(keys).fillna(0).to_numpy(), index=out.index)
    # only a month with both files can be checked (a nil return: nothing to link, 0)
    out["interventions_without_ward_stay"] = counted.astype("Int64").where(
        out["completeness"].isin(MEASURED)
    )
    over = stay_bounds.longer_than_stay(ri, stays).reindex(keys).fillna(0).to_numpy()
    out[stay_bounds.COLUMN] = (
        pd.Series(over, index=out.index).astype("Int64").where(out["completeness"].isin(MEASURED))
    )
    out["trusts_included"] = pd.array([pd.NA] * len(out), dtype="Int64")
    out["trusts_expected"] = pd.array([pd.NA] * len(out), dtype="Int64")
    return out


def _collaborative_rows(
    ri: pd.DataFrame, stays: pd.DataFrame, state: pd.DataFrame, trusts_expected: int | None
) -> pd.DataFrame:
    measured = state[state["completeness"].isin(MEASURED)][KEYS]
    keep = set(map(tuple, measured.to_numpy()))

    def only_measured(frame: pd.DataFrame) -> pd.DataFrame:
        return frame.loc[rows_in(frame, keep)]

    ri_in, stays_in = only_measured(ri), only_measured(stays)
    months = pd.DataFrame({"reporting_month": sorted(set(state["reporting_month"]))})
    counts = _one_level(
        ri_in.assign(_all=ALL_TRUSTS), stays_in.assign(_all=ALL_TRUSTS), ["_all", "reporting_month"]
    ).drop(columns="_all")
    out = months.merge(counts, on="reporting_month", how="left")
    count_cols = [*INTERVENTION_COUNTS, "occupied_bed_days"]
    included = measured.groupby("reporting_month").size()
    seen = state.groupby("reporting_month")["trust_code"].nunique()
    out["trusts_included"] = out["reporting_month"].map(included).fillna(0).astype("Int64")
    expected = out["reporting_month"].map(seen) if trusts_expected is None else trusts_expected
    out["trusts_expected"] = pd.Series(expected, index=out.index).astype("Int64")
    none = out["trusts_included"].eq(0)
    out[count_cols] = out[count_cols].fillna(0).astype("Int64")
    out = _with_rates(measures.fill_zeros(out))
    for column in [*count_cols, *RATES]:
        out[column] = out[column].mask(none)
    out = measures.blank(out, none)
    full = out["trusts_included"] >= out["trusts_expected"]
    out["completeness"] = np.where(full & ~none, COMPLETE, PARTIAL)
    out.insert(0, "trust_code", ALL_TRUSTS)
    return out


def build_trust_month(
    interventions: pd.DataFrame,
    stays: pd.DataFrame,
    submissions: pd.DataFrame | None = None,
    trusts_expected: int | None = None,
) -> pd.DataFrame:
    """mart_trust_month rows (table column order) for every trust-month and month given.

    `submissions` has `SUBMISSION_COLUMNS` for the same months (None: every trust-month with
    facts is taken as having both files loaded, as tests of the counting alone do);
    `trusts_expected` is the collaborative's size (None: the trusts seen in each month).
    """
    if submissions is None:
        submissions = pd.DataFrame(columns=SUBMISSION_COLUMNS)
    ri = distinct_interventions(interventions)
    state = completeness(submissions, ri, stays)
    if state.empty:
        return pd.DataFrame(columns=column_names(mart_trust_month))
    trusts = _trust_rows(ri, stays, state)
    everyone = _collaborative_rows(ri, stays, state, trusts_expected)
    for column in ("interventions_without_ward_stay", stay_bounds.COLUMN):
        summed = trusts.groupby("reporting_month")[column].sum()
        everyone[column] = (
            everyone["reporting_month"]
            .map(summed)
            .astype("Int64")
            .mask(everyone["interventions"].isna())
        )
    out = pd.concat([trusts, everyone], ignore_index=True)
    out["reporting_month"] = pd.to_datetime(out["reporting_month"])
    out = out.sort_values(KEYS, ignore_index=True)
    return out[column_names(mart_trust_month)]
