"""`pub_*` views over the marts with small-number suppression (`warehouse.marts.published_views`).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26
"""

from __future__ import annotations

from alembic import op

from warehouse.marts.published_views import FIRST_VIEWS, view_statements
from warehouse.migrate import execute_sql

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    for statement in view_statements(FIRST_VIEWS):
        execute_sql(op.get_bind(), statement)


def downgrade() -> None:
    for name in FIRST_VIEWS:
        execute_sql(op.get_bind(), f"DROP VIEW IF EXISTS {name}")
