"""What mart_funnel reads: trust-months from mart_trust_month, ward-months from the facts.

`ward_month` is the one place ward inputs come from: per (trust, ward, month) the same counts
and bed days mart_trust_month has per (trust, month), from fct_restrictive_intervention and
fct_ward_stay_month grouped by ward. A ward-level mart with those columns can replace its two
queries with one SELECT. An intervention or stay with no ward code (loaded as Unknown, in the
trust's totals) belongs to no ward and is left out here. Completeness is applied by the builder
(`warehouse.marts.funnel_mart`), for trust and ward inputs alike.
"""

from __future__ import annotations

from typing import Final

import pandas as pd

from warehouse.session import Session

COUNTS: Final = ["interventions", "interventions_prone", "people", "people_prone"]
TRUST_MONTH_SQL: Final = """
SELECT trust_code, reporting_month, completeness, interventions, interventions_prone, people,
       people_prone, occupied_bed_days
FROM mart_trust_month"""
# An intervention is a distinct (incident, intervention) of its trust-month (MHS77).
WARD_INTERVENTIONS_SQL: Final = """
SELECT trust_code, ward_code, reporting_month,
       COUNT(DISTINCT incident_id || '|' || intervention_id) AS interventions,
       COUNT(DISTINCT CASE WHEN is_prone THEN incident_id || '|' || intervention_id END)
         AS interventions_prone,
       COUNT(DISTINCT patient_key) AS people,
       COUNT(DISTINCT CASE WHEN is_prone THEN patient_key END) AS people_prone
FROM fct_restrictive_intervention
WHERE ward_code IS NOT NULL
GROUP BY trust_code, ward_code, reporting_month"""
WARD_BED_DAYS_SQL: Final = """
SELECT trust_code, ward_code, reporting_month, SUM(occupied_bed_days) AS occupied_bed_days
FROM fct_ward_stay_month
WHERE ward_code IS NOT NULL
GROUP BY trust_code, ward_code, reporting_month"""
KEYS: Final = ["trust_code", "ward_code", "reporting_month"]


def trust_month(session: Session) -> pd.DataFrame:
    return session.query(TRUST_MONTH_SQL)


def ward_month(session: Session) -> pd.DataFrame:
    """One row per (trust, ward, month) with a ward stay or an intervention: COUNTS and
    occupied_bed_days (0 where the ward has none of them that month)."""
    counts = session.query(WARD_INTERVENTIONS_SQL)
    days = session.query(WARD_BED_DAYS_SQL)
    for frame in (counts, days):
        frame["reporting_month"] = pd.to_datetime(frame["reporting_month"])
    out = counts.merge(days, on=KEYS, how="outer")
    out[[*COUNTS, "occupied_bed_days"]] = out[[*COUNTS, "occupied_bed_days"]].fillna(0)
    return out.astype(dict.fromkeys([*COUNTS, "occupied_bed_days"], "int64"))
