"""Alembic environment: online only, on the connection `warehouse.migrate.upgrade` hands over.

`target_metadata` is the schema metadata, so autogenerate and the drift test
(`tests/warehouse/test_migrations.py`) compare against `warehouse.schema`.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import context

from warehouse.schema import METADATA

config = context.config


def _run(connection: sa.Connection) -> None:
    context.configure(connection=connection, target_metadata=METADATA)
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    raise RuntimeError("warehouse migrations run online only (warehouse.migrate.upgrade)")
if "connection" in config.attributes:
    _run(config.attributes["connection"])
else:  # e.g. command.revision(alembic_config(url), autogenerate=True)
    engine = sa.create_engine(config.attributes["url"])
    with engine.begin() as own:
        _run(own)
    engine.dispose()
