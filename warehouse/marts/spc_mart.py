"""mart_spc: Making Data Count XmR statistics per trust (and `ALL`) and measure, per month.

Grain: one row per (trust or `ALL`, measure, month with a value). Source: mart_trust_month; the
statistics come from `transforms.spc.xmr` with NHS England defaults (domain.md §4.2–4.5):
improvement direction down for every measure (less restrictive practice is better), shift and
trend 7, two-in-three beyond 2 sigma, run chart below 15 points. Settings per trust come from
`dim_trust` (`warehouse.marts.spc_settings`):
- `baseline_months` N fixes the first limits from the series' first N points (months with a
  value, not calendar months); a baseline of 1 is read as 2, the fewest that give a moving range;
- each `recalculate_from` month starts new limits at the first point on or after it (ignored
  when that is the first point or beyond the last);
- target = (1 - target_reduction) x the first limits' mean (the baseline mean), in the units of
  the measure; assurance compares it with the latest limits.

Months whose value is NULL (a rate in a month with no bed days) are left out of the series, not
charted as zero: the chart joins its neighbours. Limits depend on the whole series, so refreshing
a trust recomputes its whole series (a few hundred points at most: cheap).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Final

import numpy as np
import pandas as pd

from transforms.spc import assurance_icon, variation_icon, xmr
from transforms.trust_config import SpcSettings
from warehouse.marts.spc_settings import SETTINGS_SQL, settings_by_trust
from warehouse.marts.trust_month import MEASURED
from warehouse.queries import placeholders
from warehouse.reads import month_start
from warehouse.schema import ALL_TRUSTS, column_names, mart_spc
from warehouse.session import Session

MEASURES: Final[dict[str, str]] = {
    "interventions_per_1000_obd": "Restrictive interventions per 1,000 OBD",
    "interventions_per_1000_obd_prone": "Prone restraint per 1,000 OBD",
    "interventions_per_1000_obd_physical": "Physical restraint per 1,000 OBD",
    "interventions_per_1000_obd_seclusion": "Seclusion per 1,000 OBD",
    "interventions_per_1000_obd_rapid_tranquillisation": "Rapid tranquillisation per 1,000 OBD",
    "people": "People subject to restrictive intervention",
}
"""Measure (a mart_trust_month column) -> label; the order charts are shown in."""

_XMR_COLUMNS: Final = {
    "value": "value",
    "mean": "mean",
    "upper_limit": "upper_limit",
    "lower_limit": "lower_limit",
    "special_cause": "special_cause",
    "signal": "signal",
    "point_type": "point_type",
    "partition": "limits_partition",
    "mr": "moving_range",
    "mr_bar": "mean_moving_range",
    "upper_2sigma": "upper_2sigma",
    "lower_2sigma": "lower_2sigma",
    "target": "target",
}
MINIMUM_POINTS: Final = 15


def _recalculate_at(months: list[pd.Timestamp], settings: SpcSettings) -> list[int]:
    positions = set()
    for text in settings.recalculate_from:
        start = pd.Timestamp(f"{text}-01")
        at = next((i for i, m in enumerate(months) if m >= start), None)
        if at is not None and 0 < at < len(months):
            positions.add(at)
    return sorted(positions)


def measure_series(
    months: list[pd.Timestamp], values: list[float], settings: SpcSettings
) -> pd.DataFrame:
    """mart_spc statistics for one series (no key columns), one row per point, in month order."""
    baseline = None if settings.baseline_months is None else max(2, settings.baseline_months)
    recalc = _recalculate_at(months, settings)
    frame = xmr(values, baseline_points=baseline, recalculate_at=recalc)
    target = (1.0 - settings.target_reduction) * float(frame["mean"].iloc[0])
    frame["target"] = target
    out = frame[list(_XMR_COLUMNS)].rename(columns=_XMR_COLUMNS)
    out["chart_type"] = "run" if len(values) < MINIMUM_POINTS else "xmr"
    out["variation_icon"] = variation_icon(frame, "down")
    out["assurance_icon"] = assurance_icon(frame, target, "down")
    return out


def charted_months(trust_month: pd.DataFrame) -> pd.DataFrame:
    """The mart_trust_month rows an SPC series uses: a trust's months whose measures exist
    (`complete`, `nil_return`), and the `ALL` months that include at least one trust. Other
    months are ghosted: left out of the limits and the rules, never charted as zero (frames
    without a `completeness` column are taken as complete)."""
    if "completeness" not in trust_month.columns:
        return trust_month
    is_all = trust_month["trust_code"].eq(ALL_TRUSTS)
    measured = trust_month["completeness"].isin(MEASURED)
    counted = trust_month.get("trusts_included", pd.Series(0, index=trust_month.index))
    included = pd.to_numeric(counted, errors="coerce").fillna(0) > 0
    return trust_month[(~is_all & measured) | (is_all & included)]


def build_spc(trust_month: pd.DataFrame, settings: Mapping[str, SpcSettings]) -> pd.DataFrame:
    """mart_spc rows (table column order) for every trust in `trust_month` (mart_trust_month
    rows); a trust missing from `settings` uses the defaults."""
    frames = []
    for trust, rows in charted_months(trust_month).groupby("trust_code", sort=True):
        rows = rows.sort_values("reporting_month")
        for measure in MEASURES:
            series = rows[["reporting_month", measure]].dropna()
            if series.empty:
                continue
            months = [pd.Timestamp(m) for m in series["reporting_month"]]
            values = series[measure].astype("float64").tolist()
            stats = measure_series(months, values, settings.get(str(trust), SpcSettings()))
            stats.insert(0, "trust_code", str(trust))
            stats.insert(1, "reporting_month", [month_start(m) for m in months])
            stats.insert(2, "measure", measure)
            frames.append(stats)
    if not frames:
        return pd.DataFrame(columns=column_names(mart_spc))
    out = pd.concat(frames, ignore_index=True)
    out["special_cause"] = out["special_cause"].astype(bool)
    out["limits_partition"] = out["limits_partition"].astype(np.int64)
    return out[column_names(mart_spc)]


def refresh_spc(session: Session, trusts: Collection[str] | None) -> None:
    """Replace the whole mart_spc series of `trusts` (plus `ALL`), or of every trust when None.

    Reads mart_trust_month inside the caller's transaction, so it must run after that mart's
    refresh. Idempotent: the result depends only on mart_trust_month and dim_trust.
    """
    measures = ", ".join(MEASURES)
    sql = (
        f"SELECT trust_code, reporting_month, completeness, trusts_included, {measures}"
        " FROM mart_trust_month"
    )
    if trusts is None:
        session.execute(f"DELETE FROM {mart_spc.name}")
        trust_month = session.query(sql)
    else:
        wanted = sorted({*trusts, ALL_TRUSTS})
        where = f" WHERE trust_code IN ({placeholders(len(wanted))})"
        session.execute(f"DELETE FROM {mart_spc.name}{where}", wanted)
        trust_month = session.query(sql + where, wanted)
    settings = settings_by_trust(session.query(SETTINGS_SQL))
    session.insert_frame(mart_spc, build_spc(trust_month, settings))
