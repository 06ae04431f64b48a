"""Per-trust SPC settings as `dim_trust` columns, and back.

The mart refresh sees only the warehouse, not the YAML registry, so the dimension refresh (which
runs just before it and has the registry) writes each trust's `TrustConfig.spc` into `dim_trust`,
and the SPC step reads them from there. The collaborative (`ALL`) and any trust without a row use
the defaults of `SpcSettings` (no baseline, no recalculation, a 25% reduction target).
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from transforms.trust_config import SpcSettings

SETTINGS_SQL = """
SELECT trust_code, spc_baseline_months, spc_recalculate_from, spc_target_reduction
FROM dim_trust"""


def spc_settings_columns(settings: SpcSettings) -> dict[str, Any]:
    """The three `dim_trust` SPC columns for one trust's settings."""
    return {
        "spc_baseline_months": settings.baseline_months,
        "spc_recalculate_from": ",".join(settings.recalculate_from) or None,
        "spc_target_reduction": settings.target_reduction,
    }


def settings_by_trust(dim_trust: pd.DataFrame) -> dict[str, SpcSettings]:
    """SpcSettings per trust_code from `SETTINGS_SQL` rows (NULL columns take the defaults)."""
    out: dict[str, SpcSettings] = {}
    for row in dim_trust.to_dict("records"):
        values: dict[str, Any] = {}
        if pd.notna(row["spc_baseline_months"]):
            values["baseline_months"] = int(row["spc_baseline_months"])
        if pd.notna(row["spc_recalculate_from"]):
            values["recalculate_from"] = str(row["spc_recalculate_from"]).split(",")
        if pd.notna(row["spc_target_reduction"]):
            values["target_reduction"] = float(row["spc_target_reduction"])
        out[str(row["trust_code"])] = SpcSettings(**values)
    return out
