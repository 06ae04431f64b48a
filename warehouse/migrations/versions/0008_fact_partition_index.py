"""Index the fact tables on their partition key (`trust_code`, `reporting_month`), PostgreSQL only.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01

Replacing a partition deletes its fact rows by (trust, month): without an index PostgreSQL
scans the whole fact table for each delete (5.7 s of a 12.4 s resubmission of one trust-month
into a five-year warehouse). On DuckDB this revision does nothing: DuckDB keeps min-max zone
maps per row group on every column and skips row groups whose `trust_code` / `reporting_month`
range cannot match, and an ART index there would slow every bulk insert and live in memory
(docs/design.md §3.5). `CREATE INDEX IF NOT EXISTS`, so a warehouse that has the index keeps it.
"""

from __future__ import annotations

from alembic import op

from warehouse.migrate import execute_sql
from warehouse.schema import FACT_TABLES

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def _postgres() -> bool:
    return op.get_bind().dialect.name == "postgresql"


def upgrade() -> None:
    if not _postgres():
        return
    for table in FACT_TABLES.values():
        for index in table.indexes:
            names = ", ".join(c.name for c in index.columns)
            execute_sql(
                op.get_bind(), f"CREATE INDEX IF NOT EXISTS {index.name} ON {table.name} ({names})"
            )


def downgrade() -> None:
    if not _postgres():
        return
    for table in FACT_TABLES.values():
        for index in table.indexes:
            execute_sql(op.get_bind(), f"DROP INDEX IF EXISTS {index.name}")
