"""Throw-away PostgreSQL databases for tests: one per test, dropped afterwards.

Databases are named `mhsip_test_<random>` so parallel and repeated runs never collide; a
session-wide template (`mhsip_tpl_<random>`) already migrated makes each copy cheap (~30 ms).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
from sqlalchemy.engine import make_url


def _admin(pg_url: str) -> psycopg.Connection:
    return psycopg.connect(pg_url, autocommit=True)


def database_url(pg_url: str, name: str) -> str:
    """`postgresql+psycopg://` URL of database `name` on the server of `pg_url`."""
    url = make_url(pg_url).set(drivername="postgresql+psycopg", database=name)
    return url.render_as_string(hide_password=False)


@contextmanager
def fresh_database(pg_url: str, prefix: str = "mhsip_test", template: str | None = None
                   ) -> Iterator[tuple[str, str]]:  # fmt: skip
    """Yields (name, URL) of a new empty (or template-copied) database; drops it on exit."""
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    with _admin(pg_url) as admin:
        clause = f" TEMPLATE {template}" if template else ""
        admin.execute(f"CREATE DATABASE {name}{clause}")
    try:
        yield name, database_url(pg_url, name)
    finally:
        with _admin(pg_url) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def drop_role(pg_url: str, role: str, database_url: str) -> None:
    """Drop a test role after revoking what it was granted in `database_url`'s database."""
    libpq = make_url(database_url).set(drivername="postgresql").render_as_string(False)
    with psycopg.connect(libpq, autocommit=True) as conn:
        conn.execute(f"DROP OWNED BY {role}")
    with _admin(pg_url) as admin:
        admin.execute(f"DROP ROLE IF EXISTS {role}")
