"""Warehouse tables, with their table and column comments, from `warehouse.schema.METADATA`.

Revision ID: 0001
Revises:
Create Date: 2026-11-26

Until the warehouse's first production release this revision renders the current metadata
(idempotent CREATE TABLE IF NOT EXISTS + COMMENT ON, `warehouse.ddl`, compiled by
the connection's own dialect), which also adopts a
DuckDB file made before migrations existed. At release, freeze it (replace the body by the
output of `alembic revision --autogenerate` against an empty database) and make every later
schema change its own revision; `tests/warehouse/test_migrations.py` checks the migrated schema
matches the metadata on both engines.
"""

from __future__ import annotations

from alembic import op

from warehouse.ddl import schema_elements
from warehouse.migrate import execute_sql
from warehouse.schema import METADATA

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

VERSION_TABLE_COMMENTS = (
    "COMMENT ON TABLE alembic_version IS 'One row: the Alembic revision the warehouse schema is"
    " at. Written by mhsip db upgrade (warehouse.migrate); never edit by hand.'",
    "COMMENT ON COLUMN alembic_version.version_num IS 'revision id (warehouse/migrations)'",
)


def upgrade() -> None:
    for element in schema_elements(METADATA):
        op.execute(element)
    for statement in VERSION_TABLE_COMMENTS:
        execute_sql(op.get_bind(), statement)


def downgrade() -> None:
    for table in reversed(METADATA.sorted_tables):
        execute_sql(op.get_bind(), f"DROP TABLE IF EXISTS {table.name}")
