"""Data-quality score (`mart_data_quality`, `mart_data_quality_score`) and resubmission changes
(`etl_resubmission_change`, `etl_mart_source`).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from warehouse.ddl import schema_elements
from warehouse.migrate import execute_sql
from warehouse.schema import (
    etl_mart_source,
    etl_resubmission_change,
    mart_data_quality,
    mart_data_quality_score,
)

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

TABLES = (mart_data_quality, mart_data_quality_score, etl_resubmission_change, etl_mart_source)


def upgrade() -> None:
    only = sa.MetaData()
    for table in TABLES:
        table.to_metadata(only)
    for element in schema_elements(only):
        op.execute(element)


def downgrade() -> None:
    for table in TABLES:
        execute_sql(op.get_bind(), f"DROP TABLE IF EXISTS {table.name}")
