"""DDL generated from `warehouse.schema.METADATA` for a SQLAlchemy dialect; never hand-written.

Migration 0001 executes `schema_elements` on the migration's connection, so each engine's
dialect compiles them (duckdb-engine inherits PostgreSQL's DDL compiler, and DuckDB accepts its
CREATE TABLE and COMMENT ON). `schema_statements` renders the same elements as text for review.
Statements are idempotent (IF NOT EXISTS; a comment is simply set again), so applying them to an
existing warehouse is safe.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import Dialect
from sqlalchemy.schema import CreateTable, ExecutableDDLElement, SetColumnComment, SetTableComment


def schema_elements(metadata: sa.MetaData) -> list[ExecutableDDLElement]:
    """CREATE TABLE IF NOT EXISTS for every table, then COMMENT ON for each table and column."""
    elements: list[ExecutableDDLElement] = [
        CreateTable(table, if_not_exists=True) for table in metadata.sorted_tables
    ]
    for table in metadata.sorted_tables:
        if table.comment:
            elements.append(SetTableComment(table))
        elements += [SetColumnComment(c) for c in table.columns if c.comment]
    return elements


def schema_statements(metadata: sa.MetaData, dialect: Dialect | None = None) -> list[str]:
    """`schema_elements` compiled to SQL text (PostgreSQL dialect by default)."""
    dialect = dialect or postgresql.dialect()
    return [str(e.compile(dialect=dialect)).strip() for e in schema_elements(metadata)]
