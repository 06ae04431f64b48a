"""Render the warehouse data dictionary (docs/data-dictionary.md) from the schema metadata and
the `pub_*` view definitions.

Generated, never edited by hand: `python -m warehouse.dictionary` rewrites the file, and a test
fails when the committed file differs from what the metadata and the views render or when a
table, view or column has no comment. Each `pub_*` column shows the rule that blanks it, taken
from the SQL the view runs (`warehouse.marts.published_views`), so the two cannot drift apart.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import Final

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from warehouse.marts import published_views as pub

DICTIONARY_PATH = Path(__file__).resolve().parents[1] / "docs" / "data-dictionary.md"
_HEADER = """# Warehouse data dictionary

Generated from `warehouse/schema.py` by `python -m warehouse.dictionary`; do not edit by hand.
Every fact and mart row is keyed by `trust_code` (ODS code) and `reporting_month` (first day of
the month). Types are shown as PostgreSQL names; DuckDB uses the same. The `pub_*` views, last,
are what may be shared outside the collaborative: the marts with small-number suppression.
"""
# The first `CASE WHEN <condition> THEN NULL` whose condition holds no CASE: the rule that blanks
# a published cell (for a rate ratio, the rule of the rate it goes with).
_BLANK_WHEN: Final = re.compile(r"CASE WHEN ((?:(?!CASE).)*?) THEN NULL")


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


def suppression_rule(expression: str, note: str | None) -> str:
    """How a `pub_*` column is published, in words and as the condition that blanks it."""
    if note is None:
        return "as in the mart"
    found = _BLANK_WHEN.search(expression)
    shown = note.removeprefix("published: ")
    if "else " in shown:  # "NULL under 5, else to the nearest 5"
        shown = shown.split("else ", 1)[1]
    elif ";" in shown:  # "2 decimals; NULL when the row's rate is suppressed"
        shown = shown.split(";", 1)[0] + " (blank with the row's rate)"
    return f"NULL when `{found.group(1)}`; else {shown}" if found else shown


def render_view(name: str) -> str:
    source = pub.SOURCES[name]
    lines = [f"## `{name}` (view)", "", _cell(pub.DESCRIPTIONS.get(name, "(no description)")), ""]
    lines += [f"Reads `{source.name}`.", ""]
    lines += ["| column | published as | description |", "|---|---|---|"]
    for column, expression, note in pub.view_columns(name):
        rule = suppression_rule(expression, note)
        lines.append(f"| `{column}` | {_cell(rule)} | {_cell(source.c[column].comment or '')} |")
    return "\n".join(lines)


def render_data_dictionary(metadata: sa.MetaData, views: Sequence[str] | None = None) -> str:
    """Markdown: a contents list, then per table (alphabetical) its grain and a column table,
    then per `pub_*` view (all of them unless `views` says) its grain and how each column is
    published."""
    tables = sorted(metadata.tables.values(), key=lambda t: t.name)
    names = sorted(pub.published_views() if views is None else views)
    contents = "\n".join(f"- [`{t.name}`](#{t.name})" for t in tables)
    contents += "".join(f"\n- [`{v}`](#{v}-view) (view)" for v in names)
    body = "\n\n".join([*(render_table(t) for t in tables), *(render_view(v) for v in names)])
    return f"{_HEADER}\n{contents}\n\n{body}\n"


def undocumented(metadata: sa.MetaData) -> list[str]:
    """Tables without a grain comment and columns without a description, as `table[.column]`."""
    missing = []
    for table in metadata.tables.values():
        if not (table.comment or "").lower().startswith("one row per"):
            missing.append(table.name)
        missing += [f"{table.name}.{c.name}" for c in table.columns if not c.comment]
    if metadata is pub.SOURCES["pub_trust_month"].metadata:  # the warehouse's own schema
        for view in pub.published_views():
            if not pub.DESCRIPTIONS.get(view, "").lower().startswith("one row per"):
                missing.append(view)
            missing += [f"{view}.{c}" for c, text in pub.column_comments(view).items() if not text]
    return sorted(missing)


def write_data_dictionary(path: Path = DICTIONARY_PATH) -> Path:
    from warehouse.schema import METADATA

    path.write_text(render_data_dictionary(METADATA), encoding="utf-8")
    return path


if __name__ == "__main__":
    print(write_data_dictionary())
