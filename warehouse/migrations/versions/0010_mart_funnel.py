"""Funnel plots (issue 14): `mart_funnel` and its published view `pub_funnel`.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from warehouse.ddl import schema_elements
from warehouse.marts.published_views import view_statements
from warehouse.migrate import execute_sql
from warehouse.schema import mart_funnel

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    only = sa.MetaData()
    mart_funnel.to_metadata(only)
    for element in schema_elements(only):
        op.execute(element)
    for statement in view_statements():
        execute_sql(op.get_bind(), statement)


def downgrade() -> None:
    execute_sql(op.get_bind(), "DROP VIEW IF EXISTS pub_funnel")
    execute_sql(op.get_bind(), "DROP TABLE IF EXISTS mart_funnel")
