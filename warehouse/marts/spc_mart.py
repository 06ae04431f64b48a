"""mart_spc: Making Data Count XmR statistics per trust (and `ALL`) and measure, per month.

Grain: one row per (trust or `ALL`, ward or `ALL`, measure, month with a value). Source:
mart_trust_month (ward_code `ALL`) and mart_ward_month (a ward series with at least the rule
profile's minimum points, the `UNKNOWN` row left out: domain.md §3.7), with recalculation at the
changes of `dim_change` (domain.md §4.7); the
statistics come from `transforms.spc.xmr` (domain.md §4.2–4.5): improvement direction down for
every measure (less restrictive practice is better), the rules of the row's `rule_profile`
(default NHS England SQL v2.6: shift 6, trend 6, two-in-three beyond 2 sigma with points beyond
the limits counting, run chart below 13 points; or `nhsrplotthedots`: 7, 7, 15). Settings come
from `dim_trust` (a trust's own, what it leaves unset from the collaborative) and
`dim_collaborative` (the `ALL` series); see `warehouse.marts.spc_settings`:
- `baseline_months` N fixes the first limits from the series' first N points (months with a
  value, not calendar months); a baseline of 1 is read as 2, the fewest that give a moving range;
- each `recalculate_from` month starts new limits at the first point on or after it (ignored
  when that is the first point or beyond the last);
- target: a number (for the headline rate), or `{reduce_by, baseline: YYYY-MM..YYYY-MM}`:
  (1 - reduce_by) x the measure's mean over the baseline months, computed once from those months
  only, so later months never move it (it used to be 0.75 x the mean of every point); NULL with
  no target or no point in the baseline. Assurance compares it with the latest limits.

Incomplete months (mart_trust_month.completeness not complete or nil_return; an `ALL` month with
no trust included) are ghosted: left out of the limits and the rules, never charted as zero. A
month whose value is NULL (a rate in a month with no bed days) is left out too: the chart joins
its neighbours. Limits depend on the whole series, so refreshing a trust recomputes its whole
series (a few hundred points at most: cheap).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any, Final

import numpy as np
import pandas as pd

from transforms.spc import (
    DEFAULT_PROFILE,
    PROFILES,
    assurance_icon,
    variation_icon,
    xmr_columns,
)
from transforms.trust_config import SpcSettings, TargetFromBaseline
from warehouse.marts.spc_settings import (
    COLLABORATIVE_SQL,
    SETTINGS_SQL,
    collaborative_settings,
    settings_by_trust,
)
from warehouse.marts.trust_month import MEASURED
from warehouse.queries import placeholders
from warehouse.reads import month_start
from warehouse.schema import ALL_TRUSTS, column_names, mart_spc
from warehouse.schema_wards import UNKNOWN_WARD, WHOLE_TRUST
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
HEADLINE: Final = "interventions_per_1000_obd"  # the measure a numeric target is for


def _recalculate_at(months: list[pd.Timestamp], settings: SpcSettings) -> list[int]:
    positions = set()
    for text in settings.recalculate_from:
        start = pd.Timestamp(f"{text}-01")
        at = next((i for i, m in enumerate(months) if m >= start), None)
        if at is not None and 0 < at < len(months):
            positions.add(at)
    return sorted(positions)


def series_target(
    months: list[pd.Timestamp], values: list[float], settings: SpcSettings, measure: str
) -> float | None:
    """The measure's target from the settings alone and, for a derived one, the baseline
    months' points only (domain.md §4.5: a target is set once, not re-estimated)."""
    target = settings.target
    if target is None:
        return None
    if not isinstance(target, TargetFromBaseline):
        return float(target) if measure == HEADLINE else None
    first, last = (pd.Timestamp(f"{m}-01") for m in target.months)
    inside = [v for m, v in zip(months, values, strict=True) if first <= m <= last]
    if not inside:
        return None
    return (1.0 - target.reduce_by) * float(np.mean(inside))


def measure_columns(
    months: list[pd.Timestamp], values: list[float], settings: SpcSettings, measure: str = HEADLINE
) -> dict[str, Any]:
    """mart_spc statistics for one series (no key columns), one entry per point, in month
    order: each column an array or list, or one value for the whole series."""
    profile = PROFILES[settings.rule_profile or DEFAULT_PROFILE.name]
    baseline = None if settings.baseline_months is None else max(2, settings.baseline_months)
    recalc = _recalculate_at(months, settings)
    target = series_target(months, values, settings, measure)
    stats = xmr_columns(values, baseline_points=baseline, recalculate_at=recalc, profile=profile)
    stats["target"] = np.full(len(values), np.nan if target is None else target)
    out: dict[str, Any] = {name: stats[source] for source, name in _XMR_COLUMNS.items()}
    out["chart_type"] = "run" if len(values) < profile.minimum_points else "xmr"
    out["variation_icon"] = variation_icon(stats, "down")
    out["assurance_icon"] = assurance_icon(stats, target, "down")
    out["rule_profile"] = profile.name
    out["partition_warning"] = stats["partition_warning"]
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


def _series(frame: pd.DataFrame, ward: str | None) -> list[tuple[str, str, pd.DataFrame]]:
    """(trust, ward, rows) per series of mart rows: `ward` None reads each row's ward_code."""
    if frame.empty:
        return []
    if ward is not None:
        frame = frame.assign(ward_code=ward)
    out = []
    for (trust, ward_code), rows in frame.groupby(["trust_code", "ward_code"], sort=True):
        out.append((str(trust), str(ward_code), rows.sort_values("reporting_month")))
    return out


Recalculation = tuple[str, str, str]  # (trust, ward or ALL, YYYY-MM)


def recalculations(changes: pd.DataFrame | None) -> list[Recalculation]:
    """The dim_change rows that recalculate limits, as (trust, ward, YYYY-MM)."""
    if changes is None or changes.empty:
        return []
    mine = changes[changes["recalculate"].astype(bool)]
    return [
        (str(t), str(w), pd.Timestamp(m).strftime("%Y-%m"))
        for t, w, m in zip(mine["trust_code"], mine["ward_code"], mine["from_month"], strict=True)
    ]


def change_months(changes: list[Recalculation], trust: str, ward: str) -> list[str]:
    """YYYY-MM months where a series' limits are recalculated for a dim_change entry (domain.md
    §4.7): a ward series at its own ward's changes and its trust's whole-trust ones, a trust
    series at the whole-trust ones; `ALL` (the collaborative) at none."""
    if trust == ALL_TRUSTS:
        return []
    wards = {WHOLE_TRUST} if ward == WHOLE_TRUST else {WHOLE_TRUST, ward}
    return sorted({m for t, w, m in changes if t == trust and w in wards})


def build_spc(
    trust_month: pd.DataFrame,
    settings: Mapping[str, SpcSettings],
    collaborative: SpcSettings | None = None,
    ward_month: pd.DataFrame | None = None,
    changes: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """mart_spc rows (table column order) for every trust in `trust_month` (mart_trust_month
    rows, ward_code `ALL`) and every ward series of `ward_month` (mart_ward_month rows, the
    `UNKNOWN` row left out) with at least the rule profile's minimum points; `ALL`, and a trust
    missing from `settings`, use the collaborative's settings (the defaults when None).
    `changes` (dim_change rows) add recalculation months."""
    collaborative = collaborative or SpcSettings()
    wards = pd.DataFrame() if ward_month is None else ward_month
    if not wards.empty:
        wards = wards[wards["ward_code"] != UNKNOWN_WARD]
    series = _series(charted_months(trust_month), WHOLE_TRUST)
    series += [(t, w, rows) for t, w, rows in _series(charted_months(wards), None)]
    recalc = recalculations(changes)
    columns: dict[str, list[Any]] = {name: [] for name in column_names(mart_spc)}
    for trust, ward, rows in series:
        own = collaborative if trust == ALL_TRUSTS else settings.get(trust)
        chosen = collaborative if own is None else own.over(collaborative)
        extra = change_months(recalc, trust, ward)
        if extra:
            months_from = sorted({*chosen.recalculate_from, *extra})
            chosen = chosen.model_copy(update={"recalculate_from": months_from})
        profile = PROFILES[chosen.rule_profile or DEFAULT_PROFILE.name]
        all_months = [pd.Timestamp(m) for m in rows["reporting_month"]]
        for measure in (m for m in MEASURES if m in rows.columns):
            x = pd.to_numeric(rows[measure]).to_numpy(dtype="float64", na_value=np.nan)
            kept = np.flatnonzero(~np.isnan(x))
            if not len(kept) or (ward != WHOLE_TRUST and len(kept) < profile.minimum_points):
                continue
            months = [all_months[i] for i in kept]
            values = x[kept].tolist()
            stats = measure_columns(months, values, chosen, measure)
            keys = {"trust_code": trust, "ward_code": ward, "measure": measure}
            stats |= {**keys, "reporting_month": [month_start(m) for m in months]}
            for name, column in columns.items():
                value = stats[name]
                column.extend(
                    value if isinstance(value, list | np.ndarray) else [value] * len(months)
                )
    objects = ("signal", "point_type")  # None where no rule fired, as xmr gives them
    out = pd.DataFrame(
        {k: pd.Series(v, dtype=object) if k in objects else v for k, v in columns.items()}
    )
    out["special_cause"] = out["special_cause"].astype(bool)
    out["limits_partition"] = out["limits_partition"].astype(np.int64)
    out["partition_warning"] = out["partition_warning"].astype(bool)
    return out


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
    ward_sql = (
        f"SELECT trust_code, ward_code, reporting_month, completeness, {measures}"
        " FROM mart_ward_month"
    )
    change_sql = "SELECT trust_code, ward_code, from_month, label, recalculate FROM dim_change"
    if trusts is None:
        session.execute(f"DELETE FROM {mart_spc.name}")
        trust_month, ward_month = session.query(sql), session.query(ward_sql)
    else:
        wanted = sorted({*trusts, ALL_TRUSTS})
        where = f" WHERE trust_code IN ({placeholders(len(wanted))})"
        session.execute(f"DELETE FROM {mart_spc.name}{where}", wanted)
        trust_month = session.query(sql + where, wanted)
        ward_month = session.query(ward_sql + where, wanted)
    settings = settings_by_trust(session.query(SETTINGS_SQL))
    collaborative = collaborative_settings(session.query(COLLABORATIVE_SQL))
    changes = session.query(change_sql)
    built = build_spc(trust_month, settings, collaborative, ward_month, changes)
    session.insert_frame(mart_spc, built)
