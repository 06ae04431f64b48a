"""The engine-neutral unit of work every warehouse write goes through.

An engine implementation (DuckDB now, PostgreSQL later) provides a `Session` bound to one open
transaction; the load and refresh logic is written once against it. SQL passed in uses qmark
placeholders (see `warehouse.queries`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

import pandas as pd
import sqlalchemy as sa


class Session(Protocol):
    """Statements inside one open transaction; the caller commits or rolls back as a whole."""

    def execute(self, sql: str, params: Sequence[object] = ()) -> None: ...

    def query(self, sql: str, params: Sequence[object] = ()) -> pd.DataFrame: ...

    def insert_frame(self, table: sa.Table, frame: pd.DataFrame) -> int:
        """Bulk-insert `frame` (exactly the table's columns, any order); returns rows inserted.

        Implementations use the engine's native bulk path (DuckDB: a registered Arrow view and
        INSERT ... SELECT; PostgreSQL: COPY), never row-by-row inserts.
        """
        ...


def check_columns(table: sa.Table, frame: pd.DataFrame) -> list[str]:
    """The table's column names, once the frame is checked to have exactly those."""
    expected = [c.name for c in table.columns]
    missing = sorted(set(expected) - set(frame.columns))
    unexpected = sorted(set(frame.columns) - set(expected))
    if missing or unexpected:
        raise ValueError(
            f"{table.name}: frame columns do not match the table: missing {missing},"
            f" unexpected {unexpected}"
        )
    return expected
