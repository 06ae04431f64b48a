"""The SQL the warehouse runs, in plain standard SQL that DuckDB and PostgreSQL both accept.

Placeholders are qmark (`?`, DuckDB's native style); a psycopg implementation rewrites them to
`%s`. No engine-specific functions: window functions, CASE, IN lists and NULLS LAST only.
Table names come from `warehouse.schema`, never from user input.
"""

from __future__ import annotations

from typing import Final


def placeholders(n: int) -> str:
    """`?, ?, ...` for an IN list of n values (n >= 1)."""
    return ", ".join("?" * n)


# --- partition replacement -----------------------------------------------------------------
# One statement per (dataset, trust) or per set of submissions, not per month: `{months}`,
# `{keep}` and `{ids}` are `placeholders(n)` lists.
DELETE_FACTS: Final = "DELETE FROM {table} WHERE trust_code = ? AND reporting_month IN ({months})"
SUPERSEDE_OTHERS: Final = """
UPDATE etl_submission SET status = 'superseded'
WHERE trust_code = ? AND dataset = ? AND reporting_month IN ({months}) AND status = 'loaded'
  AND submission_id NOT IN ({keep})"""
DELETE_QUARANTINE: Final = "DELETE FROM etl_quarantine WHERE submission_id IN ({ids})"
DELETE_SUBMISSION: Final = "DELETE FROM etl_submission WHERE submission_id IN ({ids})"

# --- reads -----------------------------------------------------------------------------------
# Latest received version per (trust, month, dataset): what the nightly run compares hashes with.
LATEST_SUBMISSIONS: Final = """
SELECT submission_id, trust_code, reporting_month, dataset, file_sha256, file_name, status,
       rows_received, rows_loaded, rows_quarantined, rejection_rule, received_at
FROM (
  SELECT s.*, ROW_NUMBER() OVER (
           PARTITION BY trust_code, reporting_month, dataset
           ORDER BY received_at DESC NULLS LAST, processed_at DESC NULLS LAST,
                    submission_id DESC) AS recency
  FROM etl_submission s {where}
) ranked
WHERE recency = 1
ORDER BY trust_code, reporting_month, dataset"""

DELETE_PENDING_MARTS: Final = (
    "DELETE FROM etl_mart_pending WHERE trust_code = ? AND reporting_month IN ({months})"
)
PENDING_MARTS: Final = (
    "SELECT trust_code, reporting_month FROM etl_mart_pending ORDER BY trust_code, reporting_month"
)

UNRECONCILED: Final = """
SELECT submission_id, trust_code, reporting_month, dataset, status, rows_received, rows_loaded,
       rows_quarantined
FROM etl_submission
WHERE (status <> 'rejected' AND rows_received <> rows_loaded + rows_quarantined)
   OR (status = 'rejected' AND (rows_loaded <> 0 OR rejection_rule IS NULL))
ORDER BY submission_id"""

# Facts loaded under a submission must number exactly its rows_loaded (only for 'loaded' rows).
FACT_COUNT_MISMATCH: Final = """
SELECT s.submission_id, s.rows_loaded, COALESCE(f.n, 0) AS rows_in_table
FROM etl_submission s
LEFT JOIN (SELECT submission_id, COUNT(*) AS n FROM {table} GROUP BY submission_id) f
  ON f.submission_id = s.submission_id
WHERE s.status = 'loaded' AND s.dataset = ? AND s.rows_loaded <> COALESCE(f.n, 0)"""

# --- marts -----------------------------------------------------------------------------------
MART_INTERVENTIONS: Final = """
SELECT trust_code, reporting_month, incident_id, intervention_id, patient_key,
       intervention_family, is_prone, is_rapid_tranquillisation, ethnic_category_code,
       ethnic_group, gender_code, age_band, imd_decile, lda_flag, start_date_local,
       ward_code, ward_type_code, ward_security_level, start_at, end_at, is_open_at_month_end,
       duration_minutes, injury_patient, post_incident_review_patient
FROM fct_restrictive_intervention WHERE {where}"""

MART_STAYS: Final = """
SELECT trust_code, reporting_month, occupied_bed_days, ethnic_category_code, ethnic_group,
       gender_code, age_band, imd_decile, lda_flag, patient_key, stay_start, stay_end,
       ward_code, ward_type_code, ward_security_level
FROM fct_ward_stay_month WHERE {where}"""

# Per (trust, month, dataset): is a version loaded, and how many rows did it receive (0 = a
# header-only nil return). The mart's completeness comes from this, not from the facts alone.
MART_SUBMISSIONS: Final = """
SELECT trust_code, reporting_month, dataset,
       MAX(CASE WHEN status = 'loaded' THEN 1 ELSE 0 END) AS is_loaded,
       MAX(CASE WHEN status = 'loaded' THEN rows_received END) AS rows_received
FROM etl_submission WHERE {where}
GROUP BY trust_code, reporting_month, dataset"""

TRUSTS_EXPECTED: Final = "SELECT COUNT(*) AS trusts FROM dim_trust"

FACT_MONTHS: Final = """
SELECT DISTINCT reporting_month FROM fct_restrictive_intervention
UNION SELECT DISTINCT reporting_month FROM fct_ward_stay_month"""

ALL_MONTHS: Final = f"{FACT_MONTHS}\nUNION SELECT DISTINCT reporting_month FROM etl_submission"

# Fact rows of each of the given months, both fact tables: what a mart pass will read.
MONTH_FACT_ROWS: Final = """
SELECT reporting_month, SUM(n) AS fact_rows FROM (
  SELECT reporting_month, COUNT(*) AS n FROM fct_restrictive_intervention
  WHERE reporting_month IN ({months}) GROUP BY reporting_month
  UNION ALL
  SELECT reporting_month, COUNT(*) AS n FROM fct_ward_stay_month
  WHERE reporting_month IN ({months}) GROUP BY reporting_month
) AS counted GROUP BY reporting_month"""

WARD_ROWS: Final = """
SELECT trust_code, ward_code, reporting_month, ward_type_code, ward_security_level,
       bed_type_code
FROM (
  SELECT trust_code, ward_code, reporting_month, ward_type_code, ward_security_level,
         bed_type_code FROM fct_ward_stay_month
  UNION
  SELECT trust_code, ward_code, reporting_month, ward_type_code, ward_security_level,
         bed_type_code FROM fct_restrictive_intervention
) w
WHERE ward_code IS NOT NULL"""
