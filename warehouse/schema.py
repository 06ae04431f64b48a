"""The whole warehouse schema (design.md §3.5) as SQLAlchemy Core metadata: the single source of
truth.

DDL for every engine and `docs/data-dictionary.md` are generated from `METADATA`; nothing is
written twice. Every table carries a comment stating its grain ("one row per ...") and source,
every column a comment with units or code set. Fact and mart tables are keyed by `trust_code`
(ODS code, text) and `reporting_month` (DATE, first day of the month), the partition of every load.
"""

from __future__ import annotations

from typing import Any, Final

import sqlalchemy as sa

from transforms.codes import FAMILIES
from warehouse.schema_columns import col, partition_columns
from warehouse.schema_facts import fact_tables
from warehouse.schema_funnel import funnel_table
from warehouse.schema_quality import quality_tables
from warehouse.schema_wards import (
    WHOLE_TRUST,
    equity_people_columns,
    measure_columns,
    ward_tables,
)

METADATA: Final = sa.MetaData()
ALL_TRUSTS: Final = "ALL"  # trust_code of the collaborative's rows in the marts


def spc_setting_columns() -> list[sa.Column[Any]]:
    """The SPC settings of dim_trust and dim_collaborative (transforms.trust_config)."""
    return [
        col("spc_baseline_months", sa.Integer,
            "SPC: points (months with a value) that fix the first limits; NULL = all points"),
        col("spc_recalculate_from", sa.Text,
            "SPC: comma-separated YYYY-MM months that start new limits; NULL = none"),
        col("spc_target_reduction", sa.Double,
            "SPC: target = (1 - this) x the measure's mean over spc_target_baseline, e.g. 0.25"
            " for a 25% reduction; NULL = no derived target"),
        col("spc_rule_profile", sa.Text,
            "SPC rules: nhse_sql_v2_6 (shift 6, trend 6, SPC from 13 points) or nhsrplotthedots"
            " (7, 7, 15)"),
        col("spc_target_value", sa.Double,
            "SPC: a fixed target for the headline rate (per 1,000 OBD); NULL = none"),
        col("spc_target_baseline", sa.Text,
            "SPC: YYYY-MM..YYYY-MM months the derived target is computed from, once"),
    ]  # fmt: skip


dim_trust = sa.Table(
    "dim_trust", METADATA,
    col("trust_code", sa.Text, "ODS organisation code", primary_key=True),
    col("trust_name", sa.Text, "trust name as in its YAML configuration"),
    col("region_code", sa.Text, "NHS England region: Y58 South West, Y59 South East"),
    col("region_name", sa.Text, "region name"),
    col("provider_type", sa.Text, "'nhs' or 'independent' (NHS-funded beds)"),
    col("code_confirmed", sa.Boolean, "false while the ODS code is still to be confirmed"),
    col("file_format", sa.Text, "format the trust sends: csv, xlsx or parquet"),
    # SPC settings travel here because the mart refresh sees the warehouse, not the YAML.
    *spc_setting_columns(),
    comment="One row per trust in the collaborative. Source: config/trusts/<ODS>.yaml; SPC"
    " settings the YAML leaves unset are the collaborative's (config/collaborative.yaml).",
)  # fmt: skip

dim_collaborative = sa.Table(
    "dim_collaborative", METADATA,
    col("collaborative_name", sa.Text, "name of the collaborative", primary_key=True),
    *spc_setting_columns(),
    comment="One row per collaborative (a warehouse holds one): its own settings, used for its"
    " 'ALL' rows and inherited by trusts that leave them unset. Source:"
    " config/collaborative.yaml.",
)  # fmt: skip

dim_ward = sa.Table(
    "dim_ward", METADATA,
    col("trust_code", sa.Text, "ODS code of the trust", primary_key=True),
    col("ward_code", sa.Text, "trust's own ward code", primary_key=True),
    col("ward_type_code", sa.Text, "MHSDS Ward Type 01-06, as last reported"),
    col("ward_type_label", sa.Text, "Ward Type label"),
    col("ward_security_level", sa.Text, "MHSDS Ward Security Level 0-3, as last reported"),
    col("ward_security_label", sa.Text, "General, Low/Medium/High Secure"),
    col("bed_type_code", sa.Text, "Hospital Bed Type (MH) code, as last reported"),
    col("first_month", sa.Date, "first reporting month the ward appears in any fact"),
    col("last_month", sa.Date, "last reporting month the ward appears in any fact"),
    comment="One row per (trust, ward) ever seen in the facts. Source: fct_ward_stay_month and"
    " fct_restrictive_intervention; attributes from the latest month that states them.",
)  # fmt: skip

dim_intervention_type = sa.Table(
    "dim_intervention_type", METADATA,
    col("intervention_type_code", sa.Text, "MHSDS Restrictive Intervention Type (01, 04-17)",
        primary_key=True),
    col("intervention_type_label", sa.Text, "national label"),
    col("intervention_family", sa.Text, f"family: {', '.join(FAMILIES)}"),
    col("is_prone", sa.Boolean, "true for 01 Physical restraint - Prone"),
    col("is_rapid_tranquillisation", sa.Boolean, "true for 14 (rapid tranquillisation)"),
    col("display_order", sa.Integer, "NHS Digital display order (ascending)"),
    comment="One row per national restrictive intervention type. Source: transforms/codes.py"
    " (domain.md §1.4).",
)  # fmt: skip

dim_ethnicity = sa.Table(
    "dim_ethnicity", METADATA,
    col("ethnic_category_code", sa.Text, "ETHNIC CATEGORY 2001: A-S, Z (not stated), 99",
        primary_key=True),
    col("ethnic_category_label", sa.Text, "national label"),
    col("ethnic_group", sa.Text, "upper-level group (White, Mixed, ..., Not Stated, Not Known)"),
    col("ethnic_group_order", sa.Integer, "display order of the group (ascending)"),
    col("category_order", sa.Integer, "display order of the category (ascending)"),
    col("is_not_stated_or_known", sa.Boolean, "true for Z and 99"),
    comment="One row per national ethnic category (16+1 plus 99). Source: transforms/codes.py"
    " (domain.md §2.1).",
)  # fmt: skip

dim_month = sa.Table(
    "dim_month", METADATA,
    col("reporting_month", sa.Date, "first day of the month", primary_key=True),
    col("month_label", sa.Text, "YYYY-MM"),
    col("calendar_year", sa.Integer, "calendar year"),
    col("month_number", sa.Integer, "1-12"),
    col("financial_year", sa.Text, "NHS financial year April-March, e.g. 2024/25"),
    col("month_end", sa.Date, "last day of the month"),
    col("days_in_month", sa.Integer, "calendar days in the month (days)"),
    comment="One row per reporting month present in any fact or submission. Source: the facts"
    " and etl_submission.",
)  # fmt: skip

etl_submission = sa.Table(
    "etl_submission", METADATA,
    col("submission_id", sa.Text, "<trust>-<YYYY-MM>-<ri|ws>-<sha256[:12]>: deterministic",
        primary_key=True),
    *partition_columns(),
    col("dataset", sa.Text, "restrictive_interventions or ward_stays", nullable=False),
    col("file_name", sa.Text, "file name as received in the landing zone"),
    col("file_sha256", sa.Text, "SHA-256 of the file bytes (hex); key of the raw archive"),
    col("status", sa.Text, "loaded, rejected or superseded (by a later loaded file)",
        nullable=False),
    col("rows_received", sa.Integer, "data rows in the file (rows)"),
    col("rows_loaded", sa.Integer, "rows loaded into the fact table (rows)"),
    col("rows_quarantined", sa.Integer, "rows held back with a reason in etl_quarantine (rows)"),
    col("rejection_rule", sa.Text, "file-level rule that rejected the file (rejected only)"),
    col("rejection_reason", sa.Text, "plain-English reason the file was rejected"),
    col("warnings", sa.Text, "JSON list of {rule, detail, count, example_rows}"),
    col("received_at", sa.DateTime(timezone=True), "when the file was found (UTC)"),
    col("processed_at", sa.DateTime(timezone=True), "when this version was processed (UTC)"),
    col("flow_run_id", sa.Text, "Prefect flow run that processed it"),
    comment="One row per received file version (trust, month, dataset, content). Source: the"
    " pipeline's validation and load steps.",
)  # fmt: skip

etl_quarantine = sa.Table(
    "etl_quarantine", METADATA,
    col("submission_id", sa.Text, "submission the row came from (etl_submission)",
        nullable=False),
    col("source_row_number", sa.Integer, "row number as the trust sees it (header included)"),
    col("rule", sa.Text, "name of the row rule broken (expectations.rules)", nullable=False),
    col("detail", sa.Text, "offending value in plain English, identifiers removed"),
    comment="One row per (quarantined source row, rule broken). Source: row-level validation.",
)  # fmt: skip


etl_mart_pending = sa.Table(
    "etl_mart_pending", METADATA,
    col("trust_code", sa.Text, "ODS code of the trust whose facts changed", nullable=False),
    col("reporting_month", sa.Date, "first day of the reporting month", nullable=False),
    comment="One row per trust-month whose facts changed since its marts were last refreshed."
    " Written in the partition's load transaction and cleared in the mart refresh's, so a run"
    " killed between the two leaves the work queued for the next run.",
)  # fmt: skip

etl_archive_access = sa.Table(
    "etl_archive_access", METADATA,
    col("accessed_at", sa.DateTime(timezone=True), "when the raw bytes were read or purged (UTC)",
        nullable=False),
    col("accessed_by", sa.Text, "operating-system account and host of the process (user@host)",
        nullable=False),
    col("purpose", sa.Text, "why: backfill (reprocessing) or purge (retention)", nullable=False),
    col("flow_run_id", sa.Text, "Prefect flow run that read them (backfill); NULL for a purge"),
    col("submission_id", sa.Text, "submission whose raw file it is (etl_submission)",
        nullable=False),
    col("file_sha256", sa.Text, "SHA-256 of the original file bytes (hex); key of the archive"),
    *partition_columns(),
    col("dataset", sa.Text, "restrictive_interventions or ward_stays"),
    comment="One row per read (or purge) of one archived raw file: the access record of the only"
    " identifiable data mhsip keeps. Written before the bytes are read. Source: backfill runs and"
    " `mhsip archive purge`.",
)  # fmt: skip


etl_key_check = sa.Table(
    "etl_key_check", METADATA,
    col("check_name", sa.Text, "what the fingerprint checks: 'pseudonymisation_key'",
        primary_key=True),
    col("fingerprint", sa.Text,
        "HMAC-SHA256 of a fixed label under the key (hex): identifies the key, never reveals it"),
    col("recorded_at", sa.DateTime(timezone=True), "when the first run recorded it"),
    comment="One row per key the warehouse was built with (the pseudonymisation key). A run"
    " whose key gives another fingerprint stops before it changes anything, because its"
    " patient_keys would never match the stored ones.",
)  # fmt: skip


def _family_columns() -> list[sa.Column[Any]]:
    columns: list[sa.Column[Any]] = []
    for family in (*FAMILIES, "prone", "rapid_tranquillisation"):
        columns += [
            col(f"interventions_{family}", sa.Integer, f"interventions of family/kind {family}"),
            col(f"interventions_per_1000_obd_{family}", sa.Double,
                f"{family} interventions per 1,000 occupied bed days"),
        ]  # fmt: skip
    return columns


mart_trust_month = sa.Table(
    "mart_trust_month", METADATA,
    *partition_columns(collaborative=True),
    col("interventions", sa.Integer, "distinct (incident, intervention) (NHS Digital MHS77);"
        " NULL when no interventions file is loaded"),
    col("incidents", sa.Integer, "distinct incidents (MHS136); NULL when no interventions file"),
    col("people", sa.Integer, "distinct identified patients with an intervention (MHS76); NULL"
        " when no interventions file"),
    col("occupied_bed_days", sa.Integer, "sum of ward-stay occupied bed days (days); NULL when"
        " no ward stays file is loaded"),
    col("interventions_per_1000_obd", sa.Double,
        "interventions per 1,000 occupied bed days; NULL unless completeness is complete or"
        " nil_return, or when no bed days"),
    *_family_columns(),
    col("completeness", sa.Text,
        "complete, nil_return (a real zero), no_interventions_file, no_ward_stays_file or"
        " no_files; 'ALL': complete (every expected trust included) or partial"),
    col("trusts_included", sa.Integer,
        "'ALL' only: trusts whose month is complete or a nil return, the only ones summed"),
    col("trusts_expected", sa.Integer, "'ALL' only: trusts in the collaborative (dim_trust)"),
    *[
        col(f"people_{kind}", sa.Integer,
            f"distinct identified patients with a {kind} intervention (MHS76 of the type"
            " breakdown; the people test of its rate's suppression)")
        for kind in (*FAMILIES, "prone", "rapid_tranquillisation")
    ],
    col("interventions_without_ward_stay", sa.Integer,
        "data quality: interventions with no ward stay of the same patient overlapping their"
        " start (rule intervention_without_ward_stay); NULL unless both files are loaded"),
    *measure_columns(),
    col("interventions_longer_than_stay", sa.Integer,
        "data quality: seclusions and segregations whose part in the month lies inside no ward"
        " stay (or unbroken run of stays) of the same patient in the month's ward stays file"
        " (rule intervention_longer_than_stay); NULL unless both files are loaded"),
    sa.PrimaryKeyConstraint("trust_code", "reporting_month"),
    comment="One row per (trust, month) with any fact or submission, plus one 'ALL' row per"
    " month for the collaborative summing only complete trust-months (domain.md §3.5)."
    " Source: fct_restrictive_intervention, fct_ward_stay_month and etl_submission.",
)  # fmt: skip

mart_equity_month = sa.Table(
    "mart_equity_month", METADATA,
    *partition_columns(collaborative=True),
    col("dimension", sa.Text,
        "ethnic_group, ethnic_category, age_band, gender, imd_quintile or lda"),
    col("category", sa.Text, "category within the dimension (code; 'Unknown' when missing)"),
    col("category_label", sa.Text, "readable label of the category"),
    col("category_order", sa.Integer, "display order within the dimension (ascending)"),
    col("is_reference", sa.Boolean, "true for the reference category of the dimension"),
    col("interventions", sa.Integer, "interventions of people in the category (MHS77)"),
    col("occupied_bed_days", sa.Integer, "bed days of stays in the category (days)"),
    col("rate_per_1000_obd", sa.Double, "interventions per 1,000 OBD; NULL when no bed days"),
    col("rate_ci_lower", sa.Double, "95% CI lower (Byar's, exact Poisson below 10)"),
    col("rate_ci_upper", sa.Double, "95% CI upper (Byar's, exact Poisson below 10)"),
    col("rate_ratio", sa.Double,
        "rate / reference rate; 1 for the reference; NULL for unknown categories"),
    col("rate_ratio_ci_lower", sa.Double, "95% CI lower of the rate ratio"),
    col("rate_ratio_ci_upper", sa.Double, "95% CI upper of the rate ratio"),
    col("people", sa.Integer,
        "distinct identified patients in the category with an intervention (MHS76 unit)"),
    col("completeness", sa.Text,
        "the trust-month's completeness (mart_trust_month); rates NULL unless complete or"
        " nil_return; 'ALL' rows sum complete trust-months only"),
    *equity_people_columns(),
    sa.PrimaryKeyConstraint("trust_code", "reporting_month", "dimension", "category"),
    comment="One row per (trust or 'ALL', month, equity dimension, category seen in either"
    " facts). Source: fct_restrictive_intervention (numerator), fct_ward_stay_month (bed days).",
)  # fmt: skip

mart_spc = sa.Table(
    "mart_spc", METADATA,
    *partition_columns(collaborative=True),
    col("ward_code", sa.Text, f"ward of a ward series (mart_ward_month); '{WHOLE_TRUST}' for a"
        " trust's and the collaborative's series", nullable=False),
    col("measure", sa.Text, "measure name, e.g. interventions_per_1000_obd", nullable=False),
    col("value", sa.Double, "the month's value of the measure (units of the measure)"),
    col("mean", sa.Double, "centre line of the XmR partition"),
    col("upper_limit", sa.Double, "upper process limit: mean + 2.66 x mean moving range"),
    col("lower_limit", sa.Double, "lower process limit: mean - 2.66 x mean moving range"),
    col("special_cause", sa.Boolean, "true when any Making Data Count rule flags the point"),
    col("signal", sa.Text, "rule that flagged it: outside_limits, shift, trend, two_in_three"),
    col("point_type", sa.Text, "common_cause, special_cause_improvement or _concern"),
    col("variation_icon", sa.Text, "variation icon of the series (latest point)"),
    col("assurance_icon", sa.Text, "assurance icon against the target (pass, fail, hit_or_miss)"),
    # Added with the SPC step so BI draws a full Making Data Count chart without recomputing.
    col("chart_type", sa.Text,
        "xmr, or run (fewer points than the rule profile's minimum, 13 for SQL v2.6: no limits,"
        " flags or icons)"),
    col("limits_partition", sa.Integer, "0 for the first limits; +1 at each recalculation"),
    col("moving_range", sa.Double, "|value - previous value| within the partition; NULL first"),
    col("mean_moving_range", sa.Double, "mean moving range (MR-bar) of the partition"),
    col("upper_2sigma", sa.Double, "upper 2-sigma line: mean + 1.7733 x mean moving range"),
    col("lower_2sigma", sa.Double, "lower 2-sigma line: mean - 1.7733 x mean moving range"),
    col("target", sa.Double,
        "target (units of the measure): the configured number (headline rate), or (1 -"
        " spc_target_reduction) x the mean over spc_target_baseline; fixed once set"),
    col("rule_profile", sa.Text,
        "rules the row was computed with: nhse_sql_v2_6 (default) or nhsrplotthedots"),
    col("partition_warning", sa.Boolean,
        "true when the point's limits rest on fewer points than the profile wants (12 for"
        " SQL v2.6): trial limits"),
    sa.PrimaryKeyConstraint("trust_code", "ward_code", "reporting_month", "measure"),
    comment="One row per (trust or 'ALL', ward or 'ALL', measure, month) of the SPC series."
    " Source: mart_trust_month and mart_ward_month, limits recalculated at dim_change's"
    " changes (filled by the SPC step).",
)  # fmt: skip

fct_restrictive_intervention, fct_ward_stay_month = fact_tables(METADATA)
_NOT_PER_WARD: Final = ("trust_code", "reporting_month", "trusts_included", "trusts_expected",
                        "interventions_without_ward_stay",
                        "interventions_longer_than_stay")  # fmt: skip
mart_ward_month, dim_change = ward_tables(
    METADATA,
    [c for c in mart_trust_month.columns
     if c.name not in _NOT_PER_WARD and c.name not in {m.name for m in measure_columns()}],
)  # fmt: skip
mart_funnel = funnel_table(METADATA)

FACT_TABLES: Final[dict[str, sa.Table]] = {
    "restrictive_interventions": fct_restrictive_intervention,
    "ward_stays": fct_ward_stay_month,
}
MART_TABLES: Final = (mart_trust_month, mart_equity_month, mart_ward_month)
mart_data_quality, mart_data_quality_score, etl_resubmission_change, etl_mart_source = (
    quality_tables(METADATA)
)


def column_names(table: sa.Table) -> list[str]:
    return [c.name for c in table.columns]
