"""Ward analytics (issue 14): the measures beside the counts and rates (in mart_trust_month and
mart_ward_month), the ward mart itself and the change annotations (`dim_change`).

Measure definitions: docs/domain.md §3.6; the ward mart and its UNKNOWN row: §3.7; changes: §4.6.
"""

from __future__ import annotations

from typing import Any, Final

import sqlalchemy as sa

from warehouse.schema_columns import col

UNKNOWN_WARD: Final = "UNKNOWN"  # ward_code of interventions and stays with no ward
WHOLE_TRUST: Final = "ALL"  # ward_code of trust and collaborative series, and of trust changes

_RI = "NULL when no interventions file is loaded"
_BOTH = "NULL unless completeness is complete or nil_return"


def measure_columns() -> list[sa.Column[Any]]:
    """The measures of domain.md §3.6, in both marts, after their existing columns."""
    columns: list[sa.Column[Any]] = [
        col("inpatients", sa.Integer, "distinct identified patients with a ward stay in the month"
            " (MHS97 denominator); NULL when no ward stays file is loaded"),
        col("pct_inpatients_restricted", sa.Double,
            f"100 x people / inpatients: share of inpatients restricted (MHS97, percent); {_BOTH}"),
        col("interventions_per_incident", sa.Double,
            f"interventions / incidents (MHS137); {_RI}"),
        col("incidents_per_1000_obd", sa.Double,
            f"incidents per 1,000 occupied bed days; {_BOTH}"),
    ]  # fmt: skip
    for family, codes in (("seclusion", "MHS98"), ("segregation", "MHS99"),
                          ("physical", "MHS138/139")):  # fmt: skip
        columns.append(col(f"{family}_ended", sa.Integer,
                           f"{family} interventions that ended in the month (the durations'"
                           f" count, and what they are suppressed on); {_RI}"))  # fmt: skip
        for stat, word in (("mean", "mean"), ("median", "median"), ("max", "longest")):
            text = (f"{word} duration of {family} interventions that ended in the month"
                    f" ({codes}, minutes); NULL when none ended or {_RI}")  # fmt: skip
            columns.append(col(f"{family}_minutes_{stat}", sa.Double, text))
    for family, codes in (("seclusion", "MHS146"), ("segregation", "MHS147")):
        columns += [
            col(f"{family}_active", sa.Integer, f"{family} interventions still active at the"
                f" month's end (the days' count, and what they are suppressed on); {_RI}"),
            col(f"{family}_days", sa.Double, f"mean days of active {family}: of those still"
                f" active at the month's end, days from start to month end ({codes}, days);"
                f" NULL when none is active or {_RI}"),
        ]  # fmt: skip
    columns += [
        col("pct_physical_prone", sa.Double,
            f"100 x prone restraints / physical restraints (percent); {_RI}"),
        col("people_2plus_interventions", sa.Integer,
            f"identified people with 2 or more interventions in the month; {_RI}"),
        col("people_5plus_interventions", sa.Integer,
            f"identified people with 5 or more interventions in the month; {_RI}"),
        col("interventions_injury_patient", sa.Integer,
            f"interventions with a patient injury recorded as yes; {_RI}"),
        col("pct_injury_patient", sa.Double,
            f"100 x interventions with a patient injury / interventions (percent); {_RI}"),
        col("interventions_debrief_patient", sa.Integer,
            f"interventions with a post-incident review with the patient recorded; {_RI}"),
        col("pct_debrief_patient", sa.Double,
            "100 x interventions with a post-incident review with the patient / interventions"
            f" (percent); {_RI}"),
    ]  # fmt: skip
    return columns


def equity_people_columns() -> list[sa.Column[Any]]:
    """People-based equity in mart_equity_month (domain.md §3.6), after its existing columns."""
    return [
        col("inpatients", sa.Integer, "distinct identified patients in the category with a ward"
            " stay in the month; NULL when no ward stays file is loaded"),
        col("people_per_100_inpatients", sa.Double, "people restricted per 100 inpatients of"
            f" the category (100 x people / inpatients, percent); {_BOTH}"),
        col("people_rate_ci_lower", sa.Double, "95% Wilson score interval, lower (percent)"),
        col("people_rate_ci_upper", sa.Double, "95% Wilson score interval, upper (percent)"),
    ]  # fmt: skip


def ward_tables(metadata: sa.MetaData, counted: list[sa.Column[Any]]) -> tuple[sa.Table, sa.Table]:
    """mart_ward_month (with copies of `counted`, the count/bed-day/rate/completeness columns
    of mart_trust_month) and dim_change."""
    ward_month = sa.Table(
        "mart_ward_month", metadata,
        col("trust_code", sa.Text, "ODS code of the trust", nullable=False),
        col("ward_code", sa.Text,
            f"trust's own ward code (dim_ward); '{UNKNOWN_WARD}' for interventions and stays"
            " with no ward", nullable=False),
        col("reporting_month", sa.Date, "reporting month (DATE, first day)", nullable=False),
        col("ward_type", sa.Text, "MHSDS Ward Type 01-06 as reported in the month; NULL for"
            f" '{UNKNOWN_WARD}'"),
        col("security_level", sa.Text, "MHSDS Ward Security Level 0-3 as reported in the month;"
            f" NULL for '{UNKNOWN_WARD}'"),
        *[col(c.name, c.type, c.comment or "") for c in counted],
        *measure_columns(),
        sa.PrimaryKeyConstraint("trust_code", "ward_code", "reporting_month"),
        comment="One row per (trust, ward, month) of a trust-month in mart_trust_month, with its"
        f" completeness; a '{UNKNOWN_WARD}' row holds what has no ward, so the additive counts"
        " (interventions, bed days, per-type interventions) of a trust's wards sum to the trust"
        " (domain.md §3.7). Source: fct_restrictive_intervention, fct_ward_stay_month and"
        " etl_submission.",
    )  # fmt: skip
    change = sa.Table(
        "dim_change", metadata,
        col("trust_code", sa.Text, "ODS code of the trust", nullable=False),
        col("ward_code", sa.Text, f"ward the change was made on; '{WHOLE_TRUST}' for the whole"
            " trust", nullable=False),
        col("from_month", sa.Date, "first reporting month of the change (DATE, first day)",
            nullable=False),
        col("label", sa.Text, "short label drawn on the charts, e.g. 'Safewards launched'",
            nullable=False),
        col("recalculate", sa.Boolean,
            "true when SPC limits of the ward's series (every series of the trust for"
            f" '{WHOLE_TRUST}') are recalculated from this month", nullable=False),
        sa.PrimaryKeyConstraint("trust_code", "ward_code", "from_month"),
        comment="One row per dated change (a quality-improvement test of change) a trust"
        " declared. Source: the `changes` list of config/trusts/<ODS>.yaml (domain.md §4.7).",
    )  # fmt: skip
    return ward_month, change
