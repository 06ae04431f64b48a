"""mart_trust_month from the facts of one or more months: pure pandas, engine-neutral.

Grain: one row per (trust, month) present in either fact table, plus one `ALL` row per month for
the collaborative. Definitions follow NHS Digital's RI statistics (domain.md §3.1):
interventions = distinct (incident_id, intervention_id) (MHS77), incidents = distinct incident
(MHS136), people = distinct patient_key among interventions (MHS76), occupied bed days = sum of
ward-stay bed days; rates are per 1,000 OBD and NULL when there are no bed days.

`ALL` rows: interventions, incidents and bed days are the sums over trusts (incident ids are only
trust-unique, so they are counted per trust); people are distinct across the collaborative, so a
patient restrained in two trusts in one month counts once and `ALL.people` can be below the sum.
"""

from __future__ import annotations

from typing import Final

import pandas as pd

from transforms.codes import FAMILIES
from warehouse.schema import ALL_TRUSTS, column_names, mart_trust_month

KEYS: Final = ["trust_code", "reporting_month"]
KINDS: Final = (*FAMILIES, "prone", "rapid_tranquillisation")


def distinct_interventions(interventions: pd.DataFrame) -> pd.DataFrame:
    """One row per (trust, month, incident, intervention): the MHS77 counting unit."""
    return interventions.drop_duplicates([*KEYS, "incident_id", "intervention_id"])


def per_1000(count: pd.Series, bed_days: pd.Series) -> pd.Series:
    """count / bed days × 1000, NaN (NULL in the warehouse) where bed days are 0 or missing."""
    days = bed_days.astype("float64")
    return (count.astype("float64") / days.where(days > 0) * 1000.0).astype("float64")


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
    out["people"] = ri.groupby(by, sort=False)["patient_key"].nunique()
    return out


def _one_level(ri: pd.DataFrame, stays: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    bed_days = stays.groupby(by, sort=False)["occupied_bed_days"].sum().rename("occupied_bed_days")
    out = _counts(ri, by).join(bed_days, how="outer").reset_index()
    count_cols = ["interventions", "incidents", "people", "occupied_bed_days"]
    count_cols += [f"interventions_{k}" for k in KINDS]
    out[count_cols] = out[count_cols].fillna(0).astype("int64")
    out["interventions_per_1000_obd"] = per_1000(out["interventions"], out["occupied_bed_days"])
    for kind in KINDS:
        out[f"interventions_per_1000_obd_{kind}"] = per_1000(
            out[f"interventions_{kind}"], out["occupied_bed_days"]
        )
    return out


def build_trust_month(interventions: pd.DataFrame, stays: pd.DataFrame) -> pd.DataFrame:
    """mart_trust_month rows (table column order) for every trust-month and month given."""
    ri = distinct_interventions(interventions)
    trusts = _one_level(ri, stays, KEYS)
    everyone = _one_level(
        ri.assign(_all=ALL_TRUSTS), stays.assign(_all=ALL_TRUSTS), ["_all", "reporting_month"]
    ).rename(columns={"_all": "trust_code"})
    out = pd.concat([trusts, everyone], ignore_index=True)
    out = out.sort_values(KEYS, ignore_index=True)
    return out[column_names(mart_trust_month)]
