"""Columns for numbers an analyst can sign off (issue 12): completeness per trust-month, people
per equity cell and per intervention type, the linkage check, the SPC rule profile and fixed
targets (and `dim_collaborative`, the collaborative's own settings); the `pub_*` views again.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01

A warehouse migrated before this revision gets each column added at the end of its table (the
metadata declares them last too, so a new warehouse has the same column order), with its
comment; the views are replaced with their new columns last, which PostgreSQL's CREATE OR
REPLACE VIEW allows and which keeps their grants. The views are rendered from the current code,
so what they read that a later revision adds (0009's measure columns and mart_ward_month) is
added here too when missing; the later revision then finds it present.
"""

from __future__ import annotations

from typing import Final

import sqlalchemy as sa
from alembic import op
from sqlalchemy.schema import SetColumnComment, SetTableComment

from warehouse.ddl import schema_elements
from warehouse.marts.published_views import FIRST_VIEWS, view_statements
from warehouse.marts.trust_month import KINDS
from warehouse.migrate import execute_sql
from warehouse.schema import METADATA
from warehouse.schema_wards import equity_people_columns, measure_columns

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

NEW_COLUMNS: Final[dict[str, tuple[str, ...]]] = {
    "mart_trust_month": (
        "completeness",
        "trusts_included",
        "trusts_expected",
        *(f"people_{kind}" for kind in KINDS),
        "interventions_without_ward_stay",
        *(c.name for c in measure_columns()),  # read by the views (0009)
    ),
    "mart_equity_month": (
        "people",
        "completeness",
        *(c.name for c in equity_people_columns()),  # read by the views (0009)
    ),
    "mart_spc": ("rule_profile", "partition_warning"),
    "dim_trust": ("spc_rule_profile", "spc_target_value", "spc_target_baseline"),
}
NEW_TABLES: Final = ("dim_collaborative", "mart_ward_month")  # the latter read by pub_ward_month


def upgrade() -> None:
    bind = op.get_bind()
    only = sa.MetaData()
    for name in NEW_TABLES:
        METADATA.tables[name].to_metadata(only)
    for element in schema_elements(only):
        op.execute(element)
    inspector = sa.inspect(bind)
    for table_name, columns in NEW_COLUMNS.items():
        table = METADATA.tables[table_name]
        present = {c["name"] for c in inspector.get_columns(table_name)}
        for name in columns:
            column = table.c[name]
            if name not in present:
                op.add_column(table_name, sa.Column(name, column.type, comment=column.comment))
            op.execute(SetColumnComment(column))
        op.execute(SetTableComment(table))
    for statement in view_statements(FIRST_VIEWS):
        execute_sql(bind, statement)


def downgrade() -> None:
    raise NotImplementedError("0004 adds columns only; restore a backup to go back")
