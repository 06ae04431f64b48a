"""DDL generated from `warehouse.schema.METADATA` for a SQLAlchemy dialect; never hand-written.

The PostgreSQL dialect is the default: DuckDB accepts its CREATE TABLE and COMMENT ON output
(checked on duckdb 1.5), so one compiler serves both engines. Statements are idempotent
(IF NOT EXISTS; a comment is simply set again), so applying them to an existing warehouse is safe.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import Dialect
from sqlalchemy.schema import CreateTable, SetColumnComment, SetTableComment


def schema_statements(metadata: sa.MetaData, dialect: Dialect | None = None) -> list[str]:
    """CREATE TABLE IF NOT EXISTS for every table, then COMMENT ON for each table and column."""
    dialect = dialect or postgresql.dialect()
    statements: list[str] = []
    for table in metadata.sorted_tables:
        statements.append(str(CreateTable(table, if_not_exists=True).compile(dialect=dialect)))
    for table in metadata.sorted_tables:
        if table.comment:
            statements.append(str(SetTableComment(table).compile(dialect=dialect)))
        for column in table.columns:
            if column.comment:
                statements.append(str(SetColumnComment(column).compile(dialect=dialect)))
    return [s.strip() for s in statements]
