"""`etl_mart_pending`: trust-months whose marts still need a refresh (crash-safe mart refresh).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from warehouse.ddl import schema_elements
from warehouse.migrate import execute_sql
from warehouse.schema import etl_mart_pending

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    only = sa.MetaData()
    etl_mart_pending.to_metadata(only)
    for element in schema_elements(only):
        op.execute(element)


def downgrade() -> None:
    execute_sql(op.get_bind(), "DROP TABLE IF EXISTS etl_mart_pending")
