"""The ward and trust measures as the report shows them: the pub_* views' rules in Python
(`warehouse.marts.published_measures.VALUE_RULES`, `transforms.suppression`), one cell at a time.

`*` when suppressed (a count under 5, a share or average resting on a count under 5, a rate
under 100 bed days); counts to the nearest 5, others rounded as published.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

import numpy as np
import pandas as pd

from report.html import is_missing
from transforms.suppression import MIN_COUNT, suppress_count, suppress_rate
from warehouse.marts.published_measures import COUNTS, VALUE_RULES

SHOWN: Final[dict[str, str]] = {
    "interventions": "Interventions",
    "interventions_per_1000_obd": "Rate per 1,000 OBD",
    "incidents_per_1000_obd": "Incidents per 1,000 OBD",
    "interventions_per_incident": "Interventions per incident",
    "pct_inpatients_restricted": "% of inpatients restricted",
    "pct_physical_prone": "% of restraints prone",
    "seclusion_minutes_median": "Median seclusion (minutes)",
    "segregation_days": "Days of segregation",
    "people_5plus_interventions": "People with 5+ interventions",
    "pct_injury_patient": "% with patient injury",
    "pct_debrief_patient": "% with patient debrief",
}
"""Column -> header of the measures tables (ward pages, overview), in order."""


def _number(value: float, places: int) -> str:
    scale = 10**places
    rounded = float(np.sign(value) * np.floor(abs(value) * scale + 0.5) / scale)
    return f"{rounded:,.{places}f}"


def shown(column: str, row: Mapping[Any, Any] | pd.Series) -> str:
    """The published text of `column` in a mart row (`*` when suppressed)."""
    value = row.get(column)
    if column in ("interventions", "incidents", "people", *COUNTS):
        count = suppress_count([value]).iloc[0]
        return "*" if is_missing(count) else f"{int(count):,}"
    if column in ("interventions_per_1000_obd", "incidents_per_1000_obd"):
        numerator = "interventions" if column.startswith("interventions") else "incidents"
        rate = suppress_rate(
            [value], [row.get(numerator)], [row.get("occupied_bed_days")], [row.get("people")]
        ).iloc[0]
        return "*" if is_missing(rate) else f"{int(rate):,}"
    counts, places = VALUE_RULES[column]
    bases = [row.get(c) for c in counts]
    if value is None or is_missing(value):
        return "*"
    if any(b is None or is_missing(b) or float(b) < MIN_COUNT for b in bases):
        return "*"
    return _number(float(value), places)
