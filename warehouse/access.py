"""Read-only access for BI tools: a PostgreSQL role that sees published data and nothing else.

`grant_bi` creates (or updates) a LOGIN role with SELECT on the `pub_*` views, the marts and the
dimensions of the warehouse's schema, and on nothing else: no `fct_*` (pseudonymised row-level
data), no `etl_*` (file names, quarantine detail), no `alembic_version`. The role's transactions
default to read-only, and PostgreSQL 15+ gives PUBLIC no CREATE on the `public` schema, so it
cannot write or create anything. Idempotent: run it after every upgrade that adds a view or mart
(privileges on objects that already existed are kept by `CREATE OR REPLACE VIEW`).

DuckDB has no roles: BI reads the published copy, which it opens read-only (docs/bi.md).
"""

from __future__ import annotations

import re
from typing import Final

import psycopg
from psycopg import sql

from warehouse.marts.published_views import published_views
from warehouse.postgres_store import libpq_url
from warehouse.schema import METADATA

BI_PREFIXES: Final = ("pub_", "mart_", "dim_")
_ROLE: Final = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


def bi_relations() -> list[str]:
    """Tables and views the BI role may read, by name."""
    names = [*METADATA.tables, *published_views()]
    return sorted(n for n in names if n.startswith(BI_PREFIXES))


def grant_bi(url: str, role: str = "mhsip_bi", password: str | None = None) -> list[str]:
    """Create or update the read-only BI role on the PostgreSQL warehouse at `url`.

    Without a password the role can log in only where pg_hba.conf allows it without one (trust,
    peer, cert). Returns the relations granted. Run it as the warehouse owner or a superuser.
    """
    if not url.startswith(("postgresql", "postgres:")):
        raise ValueError(
            "grant_bi needs a PostgreSQL warehouse; DuckDB has no roles: BI tools read the"
            " published read-only copy (see docs/bi.md)"
        )
    if not _ROLE.match(role):
        raise ValueError(f"role name must be lower-case letters, digits and _: {role!r}")
    name = sql.Identifier(role)
    relations = bi_relations()
    with psycopg.connect(libpq_url(url)) as connection:  # one transaction
        exists = connection.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role]).fetchone()
        verb = "ALTER" if exists else "CREATE"
        secret = sql.SQL(" PASSWORD {}").format(sql.Literal(password)) if password else sql.SQL("")
        connection.execute(sql.SQL(verb + " ROLE {} LOGIN NOINHERIT{}").format(name, secret))
        connection.execute(
            sql.SQL("ALTER ROLE {} SET default_transaction_read_only = on").format(name)
        )
        database = connection.execute("SELECT current_database(), current_schema()").fetchone()
        assert database is not None
        db, schema = (sql.Identifier(str(v)) for v in database)
        connection.execute(sql.SQL("GRANT CONNECT ON DATABASE {} TO {}").format(db, name))
        connection.execute(sql.SQL("GRANT USAGE ON SCHEMA {} TO {}").format(schema, name))
        connection.execute(
            sql.SQL("REVOKE ALL ON ALL TABLES IN SCHEMA {} FROM {}").format(schema, name)
        )
        targets = sql.SQL(", ").join(sql.Identifier(r) for r in relations)
        connection.execute(sql.SQL("GRANT SELECT ON {} TO {}").format(targets, name))
    return relations
