"""`etl_archive_access`: who read which raw archive file, when and why (DSPT access record).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from warehouse.ddl import schema_elements
from warehouse.migrate import execute_sql
from warehouse.schema import etl_archive_access

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    only = sa.MetaData()
    etl_archive_access.to_metadata(only)
    for element in schema_elements(only):
        op.execute(element)


def downgrade() -> None:
    execute_sql(op.get_bind(), "DROP TABLE IF EXISTS etl_archive_access")
