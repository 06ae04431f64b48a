"""No injection: identifiers interpolated into SQL are validated names; values are parameters.

Values from files reaching the warehouse verbatim (quotes, semicolons, `../`) is shown end to end
by the corpus (`sql_like_ward_codes`, `sql_like_file_name`, `unknown_trust_folder`). Here: the
trust code is validated where it enters (config), and every f-string that builds SQL in
warehouse/ interpolates only reviewed expressions naming schema identifiers or placeholders.
"""

from __future__ import annotations

import ast
import re
import shutil
from pathlib import Path

import pytest

from mhsip.config_loader import load_registry
from tests.transforms.helpers import trust
from transforms.trust_config import ConfigError
from warehouse.queries import placeholders
from warehouse.schema import METADATA

REPO = Path(__file__).resolve().parents[2]
SQL_WORDS = re.compile(
    r"\b(SELECT|INSERT|DELETE|UPDATE|CREATE|DROP|ALTER|FROM|WHERE|COPY|VALUES)\b"
)
IDENTIFIER = re.compile(r"^[a-z_][a-z0-9_]*$")

# Every expression interpolated into SQL text in warehouse/, with why it is not a value.
REVIEWED: dict[str, str] = {
    "table.name": "a sa.Table of warehouse.schema (names checked by the test below)",
    "mart_spc.name": "a sa.Table of warehouse.schema",
    "WHOLE_TRUST": "module constant 'ALL' (warehouse.schema_wards)",
    "index.name": "a sa.Index of a warehouse.schema table (names checked by the test below)",
    "source.name": "a sa.Table of warehouse.schema",
    "FROM_CLAUSES[name]": "module constant: a mart's name, or the equity mart joined to its"
    " own reference rows",
    "names": "column names of a schema table, joined",
    "', '.join(names)": "column names of a schema table",
    "view": "'_incoming_' + a schema table name",
    "name": "a published view name: a key of views.SOURCES (module constant)",
    "n": "a schema table name from METADATA.tables",
    "live": "the live DuckDB database's own name (current_database()), double-quoted with any"
    " quote doubled (warehouse.bi_copy)",
    "select": "column list built from schema column names and constant expressions",
    "measures": "module constant MEASURES (column names)",
    "_COLUMNS": "module constant: the SPC settings column names",
    "FACT_MONTHS": "module constant SQL fragment",
    "where": "' WHERE trust_code IN (' + placeholders(...) + ')': values are parameters",
    "placeholders(len(wanted))": "'?, ?, ...' only",
    "queries.placeholders(len(months))": "'?, ?, ...' only",
    "queries.placeholders(len(trust_months))": "'?, ?, ...' only",
    "queries.placeholders(len(group))": "'?, ?, ...' only",
}


def _sql_interpolations() -> list[tuple[str, int, str]]:
    found = []
    for path in sorted((REPO / "warehouse").rglob("*.py")):
        source = path.read_text(encoding="utf-8")
        for node in ast.walk(ast.parse(source)):
            if not isinstance(node, ast.JoinedStr):
                continue
            text = "".join(v.value for v in node.values if isinstance(v, ast.Constant))
            if not SQL_WORDS.search(str(text)):
                continue
            for part in node.values:
                if isinstance(part, ast.FormattedValue):
                    expr = ast.get_source_segment(source, part.value) or "?"
                    found.append((str(path.relative_to(REPO)), node.lineno, expr))
    return found


def test_sql_f_strings_interpolate_only_reviewed_identifier_expressions() -> None:
    found = _sql_interpolations()
    assert len(found) > 10  # the scan sees the SQL it is meant to see
    unreviewed = [f for f in found if f[2] not in REVIEWED]
    assert unreviewed == [], (
        "SQL text built from an expression nobody has checked is a value, not an identifier: "
        "pass values as parameters, or add the expression to REVIEWED with the reason it is safe"
    )


def test_every_schema_identifier_is_a_plain_lower_case_name() -> None:
    names = [*METADATA.tables]
    names += [c.name for table in METADATA.tables.values() for c in table.columns]
    names += [str(i.name) for table in METADATA.tables.values() for i in table.indexes]
    assert names and all(IDENTIFIER.match(n) for n in names), [
        n for n in names if not IDENTIFIER.match(n)
    ]


@pytest.mark.parametrize("n", [1, 3, 7])
def test_placeholders_hold_no_values(n: int) -> None:
    assert placeholders(n) == ", ".join(["?"] * n)


@pytest.mark.parametrize(
    "code",
    [
        "RX2'", "RX2;--", "../RX2", "R X2", "rx2", "RX2' OR '1'='1",
        "RX2\n",
    ],
)  # fmt: skip
def test_a_trust_code_that_is_not_an_ods_code_is_refused(code: str) -> None:
    with pytest.raises(ValueError, match="ods_code"):
        trust(ods_code=code)


def test_a_registry_file_with_an_injected_code_fails_with_file_and_key(tmp_path: Path) -> None:
    config = tmp_path / "config"
    shutil.copytree(REPO / "config", config)
    path = config / "trusts" / "RJ8.yaml"
    text = path.read_text(encoding="utf-8").replace("ods_code: RJ8", 'ods_code: "RJ8\'; DROP"')
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_registry(config)
    assert "RJ8.yaml" in str(caught.value) and "ods_code" in str(caught.value)
