"""Read-only access for BI tools: a PostgreSQL role that sees published data and nothing else.

`grant_bi` creates (or updates) a LOGIN role with SELECT on `warehouse.bi_copy.bi_relations()`
(the `pub_*` views, the marts and the dimensions) and on nothing else: no `fct_*`
(pseudonymised row-level data), no `etl_*` (file names, quarantine detail), no
`alembic_version`. The DuckDB BI copy holds exactly the same relations, so both engines share one
access model (docs/bi.md). Idempotent: run it after every upgrade that adds a view or mart
(privileges on objects that already existed are kept by `CREATE OR REPLACE VIEW`).

What else the role could do, and what closes it:
- write: PostgreSQL 15+ gives PUBLIC no CREATE on the `public` schema, the role owns nothing and
  holds no INSERT/UPDATE/DELETE; its sessions also default to read-only transactions
  (`default_transaction_read_only`), which a client can switch off, so that is a second line,
  not the first;
- temporary tables: every role holds TEMP on every database through PUBLIC (PostgreSQL's default
  privilege), so revoking TEMP from the role alone changes nothing while PUBLIC keeps it;
  `revoke_public_temp=True` (`mhsip db grant-bi --revoke-public-temp`) revokes it from PUBLIC on
  the warehouse database (the owner and superusers keep theirs); `BiGrant.temp_allowed` says
  whether the role can still create them;
- other databases: CONNECT through PUBLIC is a server-level matter (docs/operations.md).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

import psycopg
from psycopg import sql

from warehouse.bi_copy import BI_PREFIXES, bi_relations
from warehouse.postgres_store import libpq_url

__all__ = ["BI_PREFIXES", "BiGrant", "bi_relations", "grant_bi"]

_ROLE: Final = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


@dataclass(frozen=True)
class BiGrant:
    """What `grant_bi` did: the relations granted, and where the role still has TEMP."""

    role: str
    database: str
    relations: list[str]
    temp_allowed: bool  # the role can still create temporary tables (TEMP through PUBLIC)


def grant_bi(
    url: str,
    role: str = "mhsip_bi",
    password: str | None = None,
    revoke_public_temp: bool = False,
) -> BiGrant:
    """Create or update the read-only BI role on the PostgreSQL warehouse at `url`.

    Without a password the role can log in only where pg_hba.conf allows it without one (trust,
    peer, cert). Run it as the warehouse owner or a superuser.
    """
    if not url.startswith(("postgresql", "postgres:")):
        raise ValueError(
            "grant_bi needs a PostgreSQL warehouse; DuckDB has no roles: BI tools read the"
            " published read-only copy, which holds only what BI may read (see docs/bi.md)"
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
        current = connection.execute("SELECT current_database(), current_schema()").fetchone()
        assert current is not None
        database = str(current[0])
        db, schema = (sql.Identifier(str(v)) for v in current)
        connection.execute(sql.SQL("GRANT CONNECT ON DATABASE {} TO {}").format(db, name))
        connection.execute(sql.SQL("REVOKE TEMPORARY ON DATABASE {} FROM {}").format(db, name))
        if revoke_public_temp:
            connection.execute(sql.SQL("REVOKE TEMPORARY ON DATABASE {} FROM PUBLIC").format(db))
        connection.execute(sql.SQL("GRANT USAGE ON SCHEMA {} TO {}").format(schema, name))
        connection.execute(
            sql.SQL("REVOKE ALL ON ALL TABLES IN SCHEMA {} FROM {}").format(schema, name)
        )
        targets = sql.SQL(", ").join(sql.Identifier(r) for r in relations)
        connection.execute(sql.SQL("GRANT SELECT ON {} TO {}").format(targets, name))
        temp = connection.execute(
            "SELECT has_database_privilege(%s, current_database(), 'TEMPORARY')", [role]
        ).fetchone()
    return BiGrant(role, database, relations, bool(temp and temp[0]))
