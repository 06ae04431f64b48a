"""Data-quality score and resubmission tables (issue 16): the DQMI per trust, month and dataset,
and what a resubmission changed in the published measures."""

from __future__ import annotations

import sqlalchemy as sa

from warehouse.schema_columns import col, partition_columns


def quality_tables(metadata: sa.MetaData) -> tuple[sa.Table, sa.Table, sa.Table, sa.Table]:
    items = sa.Table(
        "mart_data_quality", metadata,
        *partition_columns(),
        col("dataset", sa.Text, "restrictive_interventions or ward_stays", nullable=False),
        col("data_item", sa.Text, "data item scored, e.g. ethnic_category", nullable=False),
        col("records", sa.Integer, "rows received in the loaded file (rows)"),
        col("valid_and_complete", sa.Integer,
            "rows loaded with a valid, non-missing value, defaults included (rows)"),
        col("defaults", sa.Integer, "rows with a default code: not stated / not known (rows)"),
        col("default_threshold", sa.Double,
            "share of records whose defaults count as valid (0..1); NULL: no defaults apply"),
        col("defaults_in_excess", sa.Double, "max(0, defaults - threshold x records) (rows)"),
        col("item_score", sa.Double,
            "(valid and complete - defaults in excess) / records x 100 (percent)"),
        col("coverage", sa.Double, "share of the expected period with data submitted (0..1)"),
        sa.PrimaryKeyConstraint("trust_code", "reporting_month", "dataset", "data_item"),
        comment="One row per (trust, month, dataset, data item) of a loaded file: NHS Digital"
        " DQMI inputs and item score. Source: the facts and etl_submission.",
    )  # fmt: skip
    scores = sa.Table(
        "mart_data_quality_score", metadata,
        *partition_columns(),
        col("dataset", sa.Text, "restrictive_interventions or ward_stays", nullable=False),
        col("data_items", sa.Integer, "data items scored (n)"),
        col("mean_item_score", sa.Double, "mean item score over the data items (percent)"),
        col("coverage", sa.Double, "mean coverage over the data items (0..1)"),
        col("dqmi", sa.Double, "DQMI: mean item score x mean coverage (0..100)"),
        sa.PrimaryKeyConstraint("trust_code", "reporting_month", "dataset"),
        comment="One row per (trust, month, dataset) with a loaded file: the Data Quality"
        " Maturity Index by NHS Digital's formula. Source: mart_data_quality.",
    )  # fmt: skip
    changes = sa.Table(
        "etl_resubmission_change", metadata,
        *partition_columns(),
        col("measure", sa.Text, "mart_trust_month column that changed, e.g. interventions",
            nullable=False),
        col("value_before", sa.Double, "the measure before the resubmission (NULL: none)"),
        col("value_after", sa.Double, "the measure after the resubmission (NULL: none)"),
        col("submissions_before", sa.Text, "submission ids the earlier value came from (comma)"),
        col("submissions_after", sa.Text, "submission ids the new value comes from (comma)"),
        col("changed_at", sa.DateTime(timezone=True), "when the marts were refreshed (UTC)"),
        comment="One row per (trust, month, measure) changed by loading a new file for a month"
        " already loaded. A recomputation of the same files records nothing. Source: mart"
        " refresh (mart_trust_month before and after).",
    )  # fmt: skip
    sources = sa.Table(
        "etl_mart_source", metadata,
        *partition_columns(),
        col("submission_ids", sa.Text, "loaded submission ids behind the marts (comma, sorted)"),
        sa.PrimaryKeyConstraint("trust_code", "reporting_month"),
        comment="One row per (trust, month) in mart_trust_month: which loaded files its marts"
        " were last computed from, so a refresh can tell a resubmission from a recomputation.",
    )  # fmt: skip
    return items, scores, changes, sources
