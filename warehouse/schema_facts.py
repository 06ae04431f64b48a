"""The two fact tables: exactly the columns `transforms.standardise` produces, plus `submission_id`.

Patient identifiers never reach these tables; `patient_key` is the keyed HMAC pseudonym made at
read time. No primary keys: the partition (trust_code, reporting_month) is replaced as a whole,
and uniqueness of (incident_id, intervention_id) / ward_stay_id is enforced by validation.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from transforms.codes import FAMILIES
from warehouse.schema_columns import col, partition_columns


def _ward() -> list[sa.Column[Any]]:
    return [
        col("ward_code", sa.Text, "trust's own ward code (see dim_ward)"),
        col("ward_type_code", sa.Text, "MHSDS Ward Type 01-06"),
        col("ward_security_level", sa.Text, "MHSDS Ward Security Level 0-3"),
        col("bed_type_code", sa.Text, "Hospital Bed Type (MH) code"),
    ]


def _person() -> list[sa.Column[Any]]:
    return [
        col("ethnic_category_code", sa.Text, "ETHNIC CATEGORY 2001: A-S, Z, 99"),
        col("ethnic_group", sa.Text, "upper-level ethnic group (dim_ethnicity)"),
        col("gender_code", sa.Text, "derived gender: 1, 2, 3, 4, 9 or X (not known)"),
        col(
            "age_years",
            sa.Integer,
            "age in whole years on the reporting month's last day (NHS Digital"
            " AgeRepPeriodEnd); NULL when the date of birth is missing or implausible (years)",
        ),
        col("age_band", sa.Text, "NHS Digital RI age band, 'Unknown' when age is missing"),
        col("lsoa", sa.Text, "LSOA code of residence (E01...), when valid"),
        col("imd_decile", sa.Integer, "IMD 2019 decile of the LSOA: 1 most deprived .. 10"),
        col("lda_flag", sa.Boolean, "learning disability or autism: true (Y), false (N), NULL"),
    ]


def _lineage() -> list[sa.Column[Any]]:
    return [
        col("source_row_number", sa.Integer, "row number in the trust's file (header included)"),
        col("submission_id", sa.Text, "etl_submission that loaded the row", nullable=False),
    ]


def partition_index(table: str) -> sa.Index:
    """The index on a fact table's partition key (`trust_code`, `reporting_month`): a partition's
    replacement deletes it by that key. Made on PostgreSQL only, by migration 0008; DuckDB finds
    a partition from its row groups' min-max zone maps (docs/design.md §3.5)."""
    return sa.Index(f"ix_{table}_partition", "trust_code", "reporting_month")


def fact_tables(metadata: sa.MetaData) -> tuple[sa.Table, sa.Table]:
    """Declare both fact tables on `metadata`; returns (interventions, ward stays)."""
    interventions = sa.Table(
        "fct_restrictive_intervention", metadata,
        *partition_columns(),
        col("incident_id", sa.Text, "trust's incident id (MHS505)", nullable=False),
        col("intervention_id", sa.Text, "intervention id within the incident (MHS515)",
            nullable=False),
        col("patient_key", sa.Text, "pseudonym: keyed HMAC-SHA256 of the patient identifier"),
        *_ward(),
        col("intervention_type_code", sa.Text, "MHSDS Restrictive Intervention Type (01, 04-17)"),
        col("intervention_type_label", sa.Text, "national label of the type"),
        col("intervention_family", sa.Text, f"family: {', '.join(FAMILIES)}"),
        col("is_prone", sa.Boolean, "true for type 01 Physical restraint - Prone"),
        col("is_rapid_tranquillisation", sa.Boolean, "true for type 14 (rapid tranquillisation)"),
        col("start_at", sa.DateTime(timezone=True), "start instant (UTC)"),
        col("end_at", sa.DateTime(timezone=True), "end instant (UTC); NULL while ongoing"),
        col("start_date_local", sa.Date, "start date in Europe/London"),
        col("is_open_at_month_end", sa.Boolean, "true when still ongoing at the month's end"),
        col("duration_minutes", sa.Double, "end - start on UTC instants (minutes); NULL if open"),
        col("reason_code", sa.Text, "Restrictive Intervention Reason (10-19, 98, 99)"),
        col("injury_patient", sa.Boolean, "patient injured: true (Y), false (N), NULL not known"),
        col("injury_staff", sa.Boolean, "staff injured: true (Y), false (N), NULL not known"),
        col("injury_other", sa.Boolean, "other person injured: true, false, NULL not known"),
        col("post_incident_review_patient", sa.Boolean,
            "post-incident review held with the patient: true, false, NULL not known"),
        *_person(),
        *_lineage(),
        partition_index("fct_restrictive_intervention"),
        comment="One row per (trust, incident, intervention) in scope for a month (starts, ends or"
        " is open in it). Source: the trust's restrictive_interventions file after validation"
        " and transforms.standardise.",
    )  # fmt: skip
    stays = sa.Table(
        "fct_ward_stay_month", metadata,
        *partition_columns(),
        col("ward_stay_id", sa.Text, "trust's ward stay id (MHS502)", nullable=False),
        col("patient_key", sa.Text, "pseudonym: keyed HMAC-SHA256 of the patient identifier"),
        *_ward(),
        col("stay_start", sa.Date, "date the ward stay started"),
        col("stay_end", sa.Date, "date the ward stay ended; NULL while in hospital"),
        col("is_open_at_month_end", sa.Boolean, "true when the stay continues past the month"),
        col("occupied_bed_days", sa.Integer,
            "bed days in the month: max(start, month start) to min(end, next month start),"
            " end day not counted (days)"),
        *_person(),
        *_lineage(),
        partition_index("fct_ward_stay_month"),
        comment="One row per ward stay per month it overlaps, with that month's occupied bed"
        " days. Source: the trust's ward_stays file after validation and transforms.bed_days.",
    )  # fmt: skip
    return interventions, stays
