"""SPC settings as `dim_trust` / `dim_collaborative` columns, and back.

The mart refresh sees only the warehouse, not the YAML registry, so the dimension refresh (which
runs just before it and has the registry) writes each trust's effective `SpcSettings` (its own,
with what it leaves unset taken from the collaborative's) into `dim_trust`, and the
collaborative's own into `dim_collaborative`; the SPC step reads them from there. A trust
without a row uses the collaborative's settings, and with no collaborative row the defaults of
`SpcSettings` (NHS England SQL v2.6 rules, no target).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from transforms.trust_config import SpcSettings, TargetFromBaseline

_COLUMNS = (
    "spc_baseline_months, spc_recalculate_from, spc_target_reduction, spc_rule_profile,"
    " spc_target_value, spc_target_baseline"
)
SETTINGS_SQL = f"SELECT trust_code, {_COLUMNS} FROM dim_trust"
COLLABORATIVE_SQL = f"SELECT collaborative_name, {_COLUMNS} FROM dim_collaborative"


def spc_settings_columns(settings: SpcSettings) -> dict[str, Any]:
    """The SPC columns of `dim_trust` / `dim_collaborative` for one set of settings."""
    target = settings.target
    derived = target if isinstance(target, TargetFromBaseline) else None
    value = target if isinstance(target, float | int) else None
    return {
        "spc_baseline_months": settings.baseline_months,
        "spc_recalculate_from": ",".join(settings.recalculate_from) or None,
        "spc_target_reduction": derived.reduce_by if derived else None,
        "spc_rule_profile": settings.rule_profile,
        "spc_target_value": None if value is None else float(value),
        "spc_target_baseline": derived.baseline if derived else None,
    }


def _settings(row: Mapping[Any, Any]) -> SpcSettings:
    values: dict[str, Any] = {}
    if pd.notna(row["spc_baseline_months"]):
        values["baseline_months"] = int(row["spc_baseline_months"])
    if pd.notna(row["spc_recalculate_from"]):
        values["recalculate_from"] = str(row["spc_recalculate_from"]).split(",")
    if pd.notna(row["spc_rule_profile"]):
        values["rule_profile"] = str(row["spc_rule_profile"])
    if pd.notna(row["spc_target_value"]):
        values["target"] = float(row["spc_target_value"])
    elif pd.notna(row["spc_target_reduction"]) and pd.notna(row["spc_target_baseline"]):
        values["target"] = TargetFromBaseline(
            reduce_by=float(row["spc_target_reduction"]), baseline=str(row["spc_target_baseline"])
        )
    return SpcSettings(**values)


def settings_by_trust(dim_trust: pd.DataFrame) -> dict[str, SpcSettings]:
    """SpcSettings per trust_code from `SETTINGS_SQL` rows (NULL columns take the defaults)."""
    return {str(row["trust_code"]): _settings(row) for row in dim_trust.to_dict("records")}


def collaborative_settings(dim_collaborative: pd.DataFrame) -> SpcSettings:
    """The collaborative's SpcSettings from `COLLABORATIVE_SQL` (defaults when no row)."""
    rows = dim_collaborative.to_dict("records")
    return _settings(rows[0]) if rows else SpcSettings()
