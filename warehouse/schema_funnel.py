"""mart_funnel (issue 14): trusts, and each trust's wards, on a funnel plot per period."""

from __future__ import annotations

import sqlalchemy as sa

from warehouse.schema_columns import col

RATE = "per 1,000 occupied bed days"


def funnel_table(metadata: sa.MetaData) -> sa.Table:
    return sa.Table(
        "mart_funnel", metadata,
        col("period", sa.Text,
            "YYYY-MM..YYYY-MM (the latest 12 months ending at the latest month every trust is"
            " complete) or FYyyyy/yy (an April-March financial year)", nullable=False),
        col("period_start", sa.Date, "first month of the period", nullable=False),
        col("period_end", sa.Date, "last month of the period", nullable=False),
        col("level", sa.Text, "trust (the trusts compared) or ward (one trust's wards compared)",
            nullable=False),
        col("trust_code", sa.Text, "ODS code of the trust (of the ward, at level ward)",
            nullable=False),
        col("ward_code", sa.Text, "trust's own ward code; 'ALL' at level trust", nullable=False),
        col("measure", sa.Text,
            "interventions_per_1000_obd or interventions_per_1000_obd_prone", nullable=False),
        col("months", sa.Integer,
            "complete trust-months pooled (completeness complete or nil_return); fewer than the"
            " period's months when some are incomplete"),
        col("numerator", sa.Integer, "interventions (of the measure's kind) in those months"),
        col("denominator", sa.Integer, "occupied bed days in those months (days)"),
        col("people", sa.Integer,
            "largest monthly count of distinct people with such an intervention: a lower bound"
            " of the period's distinct people (the suppression test)"),
        col("value", sa.Double, f"numerator / denominator, {RATE}"),
        col("target", sa.Double,
            f"centre line: pooled rate of the units compared ({RATE}); at level ward the"
            " trust's known wards"),
        col("lower_95", sa.Double, f"95% lower limit for this denominator ({RATE})"),
        col("upper_95", sa.Double, f"95% upper limit ({RATE})"),
        col("lower_998", sa.Double, f"99.8% lower limit ({RATE})"),
        col("upper_998", sa.Double, f"99.8% upper limit ({RATE})"),
        col("tau2", sa.Double,
            "between-unit variance (DerSimonian-Laird, square-root scale, Winsorised 10%);"
            " 0: exact Poisson limits"),
        col("outlier", sa.Text, "high or low: outside the 99.8% limits; NULL inside"),
        sa.PrimaryKeyConstraint("period", "level", "trust_code", "ward_code", "measure"),
        comment="One row per (period, level, trust, ward, measure): a rate per 1,000 OBD with"
        " its funnel limits against the pooled rate (Spiegelhalter 2005, overdispersion as"
        " FunnelPlotR; domain.md §4.8). Source: mart_trust_month (trusts) and the facts by ward,"
        " complete trust-months only.",
    )  # fmt: skip
