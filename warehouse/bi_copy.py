"""What BI may read, and the DuckDB BI copy that holds exactly that.

One access model on both engines (docs/bi.md): BI reads the `pub_*` views, the marts and the
dimensions, and nothing row-level (`fct_*`, with `patient_key`) or about loads (`etl_*`, with
file names and quarantine detail). On PostgreSQL the BI role is granted SELECT on
`bi_relations()` only (`warehouse.access`); on DuckDB, which has no roles, the published BI copy
is a new file built with those relations alone, so nothing else is in it, not even in free
blocks of the file (a copy of the whole file with tables dropped would keep their bytes).

`write_bi_copy` builds it from the live connection: ATTACH a new file, create the BI tables
from `warehouse.schema.METADATA` (with their comments, `warehouse.ddl`), copy their rows, create
the `pub_*` views with their comments (`warehouse.marts.published_views`), DETACH. The caller
renames the file into place, so readers see the old copy or the new one, never a mix.
"""

from __future__ import annotations

import contextlib
import hashlib
from pathlib import Path
from typing import Final

import duckdb
import sqlalchemy as sa

from warehouse.ddl import schema_statements
from warehouse.marts.published_views import published_views, view_statements
from warehouse.schema import METADATA

BI_PREFIXES: Final = ("pub_", "mart_", "dim_")
_ALIAS: Final = "mhsip_bi_copy"


def bi_relations() -> list[str]:
    """Tables and views BI may read, by name (the PostgreSQL role's grants, the DuckDB copy)."""
    names = [*METADATA.tables, *published_views()]
    return sorted(n for n in names if n.startswith(BI_PREFIXES))


def bi_tables() -> list[sa.Table]:
    """The tables among `bi_relations()` (the rest are the `pub_*` views over them)."""
    names = set(bi_relations())
    return [t for t in METADATA.sorted_tables if t.name in names]


def _bi_metadata() -> sa.MetaData:
    metadata = sa.MetaData()
    for table in bi_tables():
        table.to_metadata(metadata)
    return metadata


def _quoted(text: str, quote: str = "'") -> str:
    return quote + text.replace(quote, quote * 2) + quote


def bi_copy_digest() -> str:
    """A digest of every statement that builds the BI copy: it changes when a release changes
    what the copy holds (`warehouse.publish_record`)."""
    statements = [*schema_statements(_bi_metadata()), *view_statements()]
    return hashlib.sha256("\n".join(statements).encode("utf-8")).hexdigest()


def write_bi_copy(con: duckdb.DuckDBPyConnection, path: Path) -> Path:
    """Write a new DuckDB file at `path` holding only the BI relations of `con`'s database.

    Run it under the warehouse's write lock, after a CHECKPOINT. `path` must not exist.
    """
    cursor = con.cursor()
    try:
        row = cursor.execute("SELECT current_database()").fetchone()
        assert row is not None
        live = _quoted(str(row[0]), '"')
        cursor.execute(f"ATTACH {_quoted(str(path))} AS {_ALIAS}")
        try:
            cursor.execute(f"USE {_ALIAS}")
            cursor.begin()  # one transaction: a commit per statement cost 2.5x as much
            for statement in schema_statements(_bi_metadata()):
                cursor.execute(statement)
            for table in bi_tables():
                names = ", ".join(c.name for c in table.columns)
                cursor.execute(
                    f"INSERT INTO {table.name} ({names}) SELECT {names}"
                    f" FROM {live}.main.{table.name}"
                )
            for statement in view_statements():
                cursor.execute(statement)
            cursor.commit()
        except BaseException:
            with contextlib.suppress(duckdb.Error):  # no transaction open: nothing to undo
                cursor.rollback()
            raise
        finally:
            cursor.execute(f"USE {live}")
            cursor.execute(f"DETACH {_ALIAS}")
    finally:
        cursor.close()
    return path
