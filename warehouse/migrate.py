"""Alembic migrations run programmatically: `upgrade(url)` brings a warehouse to the head revision.

One migration history serves both engines (design.md §3.5): PostgreSQL through psycopg 3
(`postgresql+psycopg://`), DuckDB through duckdb-engine (`duckdb:///path`). There is no
alembic.ini: the `Config` is built here with `script_location` = `warehouse/migrations`, so the
package works installed or from a checkout.

DuckDB: duckdb-engine and a native `duckdb.connect` to the same file in one process conflict
(design.md §9.4), so the engine here uses no pool and is disposed before returning; run migrations
before the native connection opens. The caller holds the warehouse's writer lock
(`open_warehouse` does), so two processes never migrate at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Final

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.ddl.postgresql import PostgresqlImpl
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

MIGRATIONS: Final = Path(__file__).resolve().parent / "migrations"


class DuckDBImpl(PostgresqlImpl):
    """Alembic has no DuckDB backend; duckdb-engine speaks PostgreSQL's DDL, with one difference.

    Defining the class registers it for the `duckdb` dialect name. DuckDB runs DDL in
    transactions, so a failed revision leaves nothing behind, as on PostgreSQL.
    """

    __dialect__ = "duckdb"
    transactional_ddl = True


@dataclass(frozen=True)
class Migration:
    """Revisions before and after an upgrade (None before: an empty database)."""

    before: str | None
    after: str


def execute_sql(connection: sa.Connection, statement: str) -> None:
    """Run literal SQL text in a migration on any dialect: `:` and `%` are not placeholders."""
    connection.execute(sa.text(statement.replace(":", "\\:")))


def sqlalchemy_url(url_or_path: str) -> str:
    """The SQLAlchemy URL for a warehouse URL or a plain DuckDB file path.

    `postgresql://` and `postgres://` are given the psycopg 3 driver (SQLAlchemy's default for
    them is psycopg2, which the project does not install); a path becomes `duckdb:///<abs path>`.
    """
    if url_or_path.startswith(("postgresql", "postgres:")):
        url = make_url(url_or_path.replace("postgres://", "postgresql://", 1))
        if url.drivername == "postgresql":
            url = url.set(drivername="postgresql+psycopg")
        return url.render_as_string(hide_password=False)
    if url_or_path.startswith("duckdb:"):
        return url_or_path
    return f"duckdb:///{Path(url_or_path).resolve()}"


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["url"] = sqlalchemy_url(url)
    return config


def head_revision() -> str:
    head = ScriptDirectory(str(MIGRATIONS)).get_current_head()
    assert head is not None, "warehouse/migrations has no revisions"
    return head


def _engine(url: str) -> sa.Engine:
    sa_url = make_url(sqlalchemy_url(url))
    if sa_url.drivername == "duckdb" and sa_url.database not in (None, "", ":memory:"):
        Path(str(sa_url.database)).parent.mkdir(parents=True, exist_ok=True)
    return sa.create_engine(sa_url, poolclass=NullPool)


def current_revision(url: str) -> str | None:
    """Revision the warehouse is at, None when it has never been migrated."""
    engine = _engine(url)
    try:
        with engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()
    finally:
        engine.dispose()


def upgrade(url: str) -> Migration:
    """Apply every pending revision (idempotent: at head it changes nothing).

    The caller must hold the warehouse's writer lock; `open_warehouse` does this itself.
    """
    before = current_revision(url)
    head = head_revision()
    if before != head:
        engine = _engine(url)
        try:
            with engine.begin() as connection:
                config = alembic_config(url)
                config.attributes["connection"] = connection
                command.upgrade(config, "head")
        finally:
            engine.dispose()
    return Migration(before=before, after=head)
