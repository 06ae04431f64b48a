"""mart_funnel: each trust, and each trust's wards, against the pooled rate (domain.md §4.8).

Periods: the latest 12 months, ending at the latest month in which every expected trust is
complete (`ALL` completeness `complete`; the latest month with any complete trust-month when
there is none), and every financial year (April-March) with a complete trust-month, the
current one to date. Only complete trust-months (`complete`, `nil_return`) are pooled; a unit
missing months in a period is pooled over the ones it has and `months` says how many, so its
rate is still a rate (bed days shrink with the months) and its limits widen. Level `trust`
compares the trusts (ward_code `ALL`); level `ward` compares one trust's known wards, centred on
their pooled rate (an intervention with an unknown ward has no ward to be compared with, and
counting it in the centre would pull every ward below it). Limits: `transforms.funnel`.

The mart is rebuilt whole at every refresh: the periods move with the latest complete month.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Final

import numpy as np
import pandas as pd

from transforms.funnel import OUT_COLUMNS, funnel_arrays
from warehouse.marts import funnel_inputs
from warehouse.marts.trust_month import COMPLETE, MEASURED
from warehouse.schema import ALL_TRUSTS, column_names, mart_funnel
from warehouse.session import Session

MEASURES: Final[dict[str, tuple[str, str]]] = {
    "interventions_per_1000_obd": ("interventions", "people"),
    "interventions_per_1000_obd_prone": ("interventions_prone", "people_prone"),
}
"""Measure -> (numerator column, people column) of the monthly inputs."""
UNKNOWN_WARDS: Final = frozenset({"UNKNOWN", "Unknown"})


@dataclass(frozen=True)
class Period:
    label: str
    start: date
    end: date


def _months(frame: pd.DataFrame) -> pd.Series:
    stamps = pd.to_datetime(frame["reporting_month"]).dt.to_period("M").dt.to_timestamp()
    return pd.Series(stamps, index=frame.index)


def periods(trust_month: pd.DataFrame) -> list[Period]:
    """The rolling twelve months, then each financial year, from mart_trust_month rows."""
    months = _months(trust_month)
    is_all = trust_month["trust_code"].eq(ALL_TRUSTS)
    measured = months[~is_all & trust_month["completeness"].isin(MEASURED)]
    if measured.empty:
        return []
    full = months[is_all & trust_month["completeness"].eq(COMPLETE)]
    end = (full if not full.empty else measured).max()
    start = end - pd.DateOffset(months=11)
    out = [Period(f"{start:%Y-%m}..{end:%Y-%m}", start.date(), end.date())]
    for year in sorted({m.year if m.month >= 4 else m.year - 1 for m in measured}):
        out.append(
            Period(f"FY{year}/{(year + 1) % 100:02d}", date(year, 4, 1), date(year + 1, 3, 1))
        )
    return out


def _complete(monthly: pd.DataFrame, trust_month: pd.DataFrame) -> pd.DataFrame:
    """`monthly` rows of complete trust-months only, months as Timestamps."""
    states = trust_month.assign(reporting_month=_months(trust_month))
    keep = states[states["completeness"].isin(MEASURED)][["trust_code", "reporting_month"]]
    rows = monthly.assign(reporting_month=_months(monthly))
    return rows.merge(keep.drop_duplicates(), on=["trust_code", "reporting_month"])


def _pooled(rows: pd.DataFrame, keys: list[str], period: Period) -> pd.DataFrame:
    """Per unit: complete months in the period, summed counts and bed days, the largest
    month's people; sorted by `keys`."""
    start, end = pd.Timestamp(period.start), pd.Timestamp(period.end)
    inside = rows[rows["reporting_month"].between(start, end)]
    grouped = inside.groupby(keys, sort=True)
    sums = grouped[[n for n, _ in MEASURES.values()] + ["occupied_bed_days"]].sum()
    out = sums.join(grouped[[p for _, p in MEASURES.values()]].max())
    out["months"] = grouped["reporting_month"].nunique()
    return out[out["occupied_bed_days"] > 0].reset_index()


def _compared(units: pd.DataFrame, measure: str) -> dict[str, np.ndarray]:
    numerator, people = MEASURES[measure]
    out = {c: units[c].to_numpy() for c in ("trust_code", "months")}
    out |= {"numerator": units[numerator].to_numpy(), "people": units[people].to_numpy(),
            "denominator": units["occupied_bed_days"].to_numpy()}  # fmt: skip
    out["ward_code"] = (
        units["ward_code"].to_numpy()
        if "ward_code" in units
        else np.full(len(units), ALL_TRUSTS, dtype=object)
    )
    return out | funnel_arrays(out["numerator"], out["denominator"])


def build_funnel(trust_month: pd.DataFrame, ward_month: pd.DataFrame) -> pd.DataFrame:
    """mart_funnel rows (table column order) from mart_trust_month rows and ward-month inputs
    (`funnel_inputs.ward_month` columns). Works on arrays per comparison and builds one frame
    at the end: a DataFrame per comparison cost seconds on the demo's 16 trusts."""
    trusts = _complete(trust_month[trust_month["trust_code"] != ALL_TRUSTS], trust_month)
    known = ward_month["ward_code"].notna() & ~ward_month["ward_code"].isin(UNKNOWN_WARDS)
    wards = _complete(ward_month[known], trust_month)
    parts: list[dict[str, np.ndarray]] = []
    for period in periods(trust_month):
        by_trust = _pooled(trusts, ["trust_code"], period)
        by_ward = _pooled(wards, ["trust_code", "ward_code"], period)
        codes = by_ward["trust_code"].to_numpy()
        _, firsts = np.unique(codes, return_index=True)
        ends = [*firsts[1:], len(codes)] if len(codes) else []
        slices = [slice(a, b) for a, b in zip(firsts, ends, strict=True)]
        for measure in MEASURES:
            compared = [("trust", by_trust)] if len(by_trust) else []
            compared += [("ward", by_ward.iloc[s]) for s in slices]
            for level, units in compared:
                part = _compared(units, measure)
                n = len(units)
                part |= {"period": np.full(n, period.label, dtype=object),
                         "period_start": np.full(n, period.start, dtype=object),
                         "period_end": np.full(n, period.end, dtype=object),
                         "level": np.full(n, level, dtype=object),
                         "measure": np.full(n, measure, dtype=object)}  # fmt: skip
                parts.append(part)
    if not parts:
        return pd.DataFrame(columns=column_names(mart_funnel))
    out = pd.DataFrame(
        {c: np.concatenate([p[c] for p in parts]) for c in column_names(mart_funnel)}
    )
    return out.astype({"months": "int64", "numerator": "int64", "denominator": "int64",
                       "people": "int64"} | dict.fromkeys(OUT_COLUMNS[:-1], "float64"))  # fmt: skip


def refresh_funnel(session: Session) -> None:
    """Replace mart_funnel whole; reads mart_trust_month, so it runs after that mart's refresh."""
    trust_month = funnel_inputs.trust_month(session)
    frame = build_funnel(trust_month, funnel_inputs.ward_month(session))
    session.execute("DELETE FROM mart_funnel")
    session.insert_frame(mart_funnel, frame)
