"""Render the warehouse data dictionary (docs/data-dictionary.md) from the schema metadata.

Generated, never edited by hand: `python -m warehouse.dictionary` rewrites the file, and a test
fails when the committed file differs from what the metadata renders or when a table or column
has no comment.
"""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

DICTIONARY_PATH = Path(__file__).resolve().parents[1] / "docs" / "data-dictionary.md"
_HEADER = """# Warehouse data dictionary

Generated from `warehouse/schema.py` by `python -m warehouse.dictionary`; do not edit by hand.
Every fact and mart row is keyed by `trust_code` (ODS code) and `reporting_month` (first day of
the month). Types are shown as PostgreSQL names; DuckDB uses the same.
"""


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _type(column: sa.Column[object]) -> str:
    return str(column.type.compile(dialect=postgresql.dialect()))


def render_table(table: sa.Table) -> str:
    lines = [f"## `{table.name}`", "", _cell(table.comment or "(no description)"), ""]
    lines += ["| column | type | key | description |", "|---|---|---|---|"]
    for column in table.columns:
        key = "PK" if column.primary_key else ""
        lines.append(
            f"| `{column.name}` | {_type(column)} | {key} | {_cell(column.comment or '')} |"
        )
    return "\n".join(lines)


def render_data_dictionary(metadata: sa.MetaData) -> str:
    """Markdown: a contents list, then per table (alphabetical) its grain and a column table."""
    tables = sorted(metadata.tables.values(), key=lambda t: t.name)
    contents = "\n".join(f"- [`{t.name}`](#{t.name})" for t in tables)
    body = "\n\n".join(render_table(t) for t in tables)
    return f"{_HEADER}\n{contents}\n\n{body}\n"


def undocumented(metadata: sa.MetaData) -> list[str]:
    """Tables without a grain comment and columns without a description, as `table[.column]`."""
    missing = []
    for table in metadata.tables.values():
        if not (table.comment or "").lower().startswith("one row per"):
            missing.append(table.name)
        missing += [f"{table.name}.{c.name}" for c in table.columns if not c.comment]
    return sorted(missing)


def write_data_dictionary(path: Path = DICTIONARY_PATH) -> Path:
    from warehouse.schema import METADATA

    path.write_text(render_data_dictionary(METADATA), encoding="utf-8")
    return path


if __name__ == "__main__":
    print(write_data_dictionary())
