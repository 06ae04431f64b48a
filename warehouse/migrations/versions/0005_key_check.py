"""`etl_key_check`: the fingerprint of the pseudonymisation key the warehouse was built with.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from warehouse.ddl import schema_elements
from warehouse.migrate import execute_sql
from warehouse.schema import etl_key_check

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    only = sa.MetaData()
    etl_key_check.to_metadata(only)
    for element in schema_elements(only):
        op.execute(element)


def downgrade() -> None:
    execute_sql(op.get_bind(), "DROP TABLE IF EXISTS etl_key_check")
