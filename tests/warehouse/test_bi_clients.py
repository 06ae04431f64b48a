"""docs/bi.md, tool by tool, through the clients a BI analyst has: the SQLAlchemy 1.4 /
psycopg2 / duckdb 2 / duckdb-engine stack Superset 6.1 brings (in `.venv-bi`), the DuckDB CLI,
psql, and the pipeline's own SQLAlchemy 2 / psycopg 3.

One warehouse is loaded into DuckDB (published: the BI copy and the operators' full copy) and
into PostgreSQL (with the BI role); every connection string, code block and command of the doc is
pointed at them and run. Checked: the doc's queries give rows and the same figures on both
engines; the BI copy lists exactly `bi_relations()` and no `patient_key`; file access (COPY TO,
read_text, ATTACH) is refused on the documented DuckDB connections; the BI role reads `pub_*` and
is refused facts, ETL tables, writes and temporary tables; the minimum DuckDB version the doc
names reads the file and 1.0.0 does not.
"""

from __future__ import annotations

import json
import shlex
import shutil
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from tests.warehouse.bi_doc import (
    Target,
    doc_commands,
    doc_minimum_duckdb,
    doc_python,
    doc_queries,
    doc_uris,
)
from tests.warehouse.bi_stack import VENV, bi_python, duckdb_release, run_python
from tests.warehouse.helpers import drop_role, fresh_database, random_partitions
from warehouse.access import bi_relations, grant_bi
from warehouse.engine import open_warehouse
from warehouse.store import Warehouse

pytestmark = [pytest.mark.slow, pytest.mark.postgres]
PROBE = Path(__file__).with_name("bi_client_probe.py")
SECRET = "not-for-bi-eyes"


def _load(wh: Warehouse, registry: Any) -> None:
    for load in random_partitions():
        wh.replace_partition(load)
    wh.refresh_dimensions(registry)
    wh.refresh_marts(None)


@pytest.fixture(scope="module")
def target(tmp_path_factory: pytest.TempPathFactory, pg_url: str, registry: Any
           ) -> Iterator[Target]:  # fmt: skip
    """The same facts in a DuckDB warehouse (published) and a PostgreSQL one (BI role granted)."""
    home = tmp_path_factory.mktemp("mhsip-home")
    with open_warehouse(str(home / "warehouse" / "mhsip.duckdb"), lock_timeout_seconds=5) as wh:
        _load(wh, registry)
        wh.checkpoint_and_publish(
            home / "published" / "mhsip.duckdb", home / "operators" / "mhsip-operators-full.duckdb"
        )
    (home / "secret.txt").write_text(SECRET, encoding="utf-8")
    role, password = f"mhsip_bi_{uuid.uuid4().hex[:8]}", "bi-test-password"
    with fresh_database(pg_url) as (name, url):
        with open_warehouse(url, lock_timeout_seconds=5) as wh:
            _load(wh, registry)
        grant_bi(url, role, password, revoke_public_temp=True)
        server = make_url(url)
        try:
            yield Target(home, server.host or "127.0.0.1", server.port or 5432, name, role,
                         password)  # fmt: skip
        finally:
            drop_role(pg_url, role, url)


def _probe(jobs: list[dict]) -> list[Any]:
    done = run_python([str(PROBE)], stdin=json.dumps(jobs))
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout)


def _kind(uri: str) -> str:
    return "duckdb" if uri.startswith("duckdb") else make_url(uri).drivername


def _file_probes(t: Target, out: Path) -> list[str]:
    full = t.home / "operators" / "mhsip-operators-full.duckdb"
    return [
        f"COPY (SELECT * FROM mart_trust_month) TO '{out}' (HEADER)",
        f"SELECT * FROM read_text('{t.home / 'secret.txt'}')",
        f"ATTACH '{full}' AS operators (READ_ONLY)",
        f"SELECT * FROM read_csv('{t.home / 'secret.txt'}')",
    ]


def test_the_doc_gives_a_connection_for_each_tool() -> None:
    kinds = sorted(_kind(u) for u in doc_uris())
    assert kinds == ["duckdb", "postgresql", "postgresql+psycopg"]
    commands = [c.split()[0] for c in doc_commands()]
    assert commands == ["duckdb", "duckdb", "psql"]
    assert len(doc_python()) == 1 and len(doc_queries()) == 11


def test_the_stack_is_superset_s() -> None:
    (versions,) = _probe([{"versions": True}])
    assert versions["versions"]["sqlalchemy"].startswith("1.4.")
    assert versions["versions"]["duckdb"].startswith("2.")


def test_every_documented_uri_through_the_superset_stack(target: Target, tmp_path: Path) -> None:
    queries = doc_queries()
    uris = {_kind(u): target.localise(u) for u in doc_uris()}
    out = tmp_path / "exported.csv"
    duck_statements = ["@inspect", *queries, *_file_probes(target, out),
                       "DELETE FROM dim_month", "CREATE TABLE stolen (x INTEGER)"]  # fmt: skip
    refused = ["SELECT * FROM fct_restrictive_intervention", "SELECT * FROM fct_ward_stay_month",
               "SELECT * FROM etl_submission", "SELECT * FROM etl_quarantine"]  # fmt: skip
    rw = ["@rw CREATE TEMP TABLE scratch (x int)", "@rw DELETE FROM dim_month",
          "@rw CREATE TABLE stolen (x int)", "CREATE TEMP TABLE scratch (x int)"]  # fmt: skip
    readable = (
        "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
        " WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'v', 'm', 'p')"
        " AND has_table_privilege(c.oid, 'SELECT') ORDER BY 1"
    )
    duck, pg, pg3 = _probe([
        {"url": uris["duckdb"], "statements": duck_statements},
        {"url": uris["postgresql"], "statements": [*queries, readable, *refused, *rw]},
        {"url": uris["postgresql+psycopg"], "statements": ["SELECT 1"]},
    ])  # fmt: skip
    inspected, duck_rows = duck[0], duck[1 : 1 + len(queries)]
    assert inspected["relations"] == bi_relations()
    columns = {c for cols in inspected["columns"].values() for c in cols}
    assert "patient_key" not in columns and "submission_id" not in columns
    assert all(r.get("rows") for r in duck_rows), duck_rows
    file_access = duck[1 + len(queries) : -2]
    assert all("Permission" in r.get("error", "") for r in file_access), file_access
    assert not out.exists()
    assert all("read-only" in r.get("error", "") for r in duck[-2:]), duck[-2:]
    # PostgreSQL through psycopg2: the same figures as the DuckDB copy, and nothing else.
    assert pg[: len(queries)] == duck_rows
    assert [r for (r,) in pg[len(queries)]["rows"]] == bi_relations()
    denied = pg[len(queries) + 1 :]
    assert all("permission denied" in r.get("error", "") for r in denied[: len(refused)]), denied
    assert all("permission denied" in r.get("error", "") for r in denied[len(refused) : -1])
    assert "read-only transaction" in denied[-1].get("error", "")
    # SQLAlchemy 1.4 has no psycopg 3 dialect: why the doc gives Superset postgresql://.
    assert pg3[0]["error"].startswith("NoSuchModuleError"), pg3
    # ... and the URI the doc gives for SQLAlchemy 2 + psycopg 3 works in the pipeline's stack.
    engine = sa.create_engine(uris["postgresql+psycopg"], poolclass=sa.NullPool)
    try:
        with engine.connect() as connection:
            first = connection.execute(sa.text(queries[0])).fetchall()
    finally:
        engine.dispose()
    assert len(first) == len(duck_rows[0]["rows"])


def test_the_python_example_reads_the_bi_copy_with_external_access_off(target: Target) -> None:
    (code,) = doc_python()
    local = target.localise(code)
    probe = local + f"\ncon.sql(\"SELECT * FROM read_text('{target.home / 'secret.txt'}')\")\n"
    ran, refused = _probe([{"python": local}, {"python": probe}])
    assert "error" not in ran and ran["stdout"].strip(), ran
    assert refused["error"].startswith("PermissionException"), refused


def _cli(argv: list[str], lines: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(argv, input="".join(f"{line};\n" for line in lines),
                          capture_output=True, text=True, timeout=60, check=False)  # fmt: skip


@pytest.mark.parametrize("line", [c for c in doc_commands() if c.startswith("duckdb ")])
def test_the_duckdb_cli_lines_read_and_refuse_file_access(
    target: Target, tmp_path: Path, line: str
) -> None:
    bi_python()
    binary = next(VENV.glob("lib/python*/site-packages/duckdb_cli/duckdb"))
    safe = "-safe" in line.split()
    # The pip wrapper is on the PATH of a pip install; -safe is documented for the binary only.
    commands = [binary] if safe else [VENV / "bin" / "duckdb", binary]
    out = tmp_path / "cli.csv"
    for command in commands:
        argv = [str(command), *shlex.split(target.localise(line))[1:]]
        ran = _cli(argv, [doc_queries()[0]])
        assert ran.returncode == 0 and "reporting_month" in ran.stdout, (command, ran.stderr)
        probes = _file_probes(target, out)
        refused = _cli(argv, probes + ([f".output {out}", ".shell echo from-the-shell"]
                                       if safe else []))  # fmt: skip
        both = refused.stdout + refused.stderr
        assert SECRET not in both and not out.exists(), both
        assert both.count("Permission Error") == len(probes), both
        if safe:
            assert "from-the-shell" not in both and "cannot be used in -safe mode" in both


def test_the_psql_line_connects_as_the_bi_role(target: Target) -> None:
    (line,) = [c for c in doc_commands() if c.startswith("psql ")]
    dsn = target.localise(line).split(" ", 1)[1].strip('"')
    (via_psycopg2,) = _probe([{"dsn": dsn, "statements": ["SELECT current_user",
                                                          doc_queries()[1]]}])  # fmt: skip
    assert via_psycopg2[0]["rows"] == [[target.role]] and via_psycopg2[1]["rows"]
    psql = shutil.which("psql")
    assert psql, "psql is not installed (Debian package postgresql-client)"
    ran = subprocess.run([psql, dsn, "-At", "-c", "SELECT count(*) FROM pub_trust_month"],
                         capture_output=True, text=True, timeout=60, check=False)  # fmt: skip
    assert ran.returncode == 0 and int(ran.stdout) > 0, ran.stderr


def test_the_minimum_duckdb_the_doc_names_reads_the_bi_copy_and_1_0_does_not(
    target: Target,
) -> None:
    bi_copy = target.home / "published" / "mhsip.duckdb"
    read = (
        "import duckdb, sys\n"
        f"con = duckdb.connect({str(bi_copy)!r}, read_only=True)\n"
        "print(duckdb.__version__, con.sql('SELECT COUNT(*) FROM pub_trust_month').fetchone()[0])"
    )
    minimum = doc_minimum_duckdb()
    ok = run_python(["-c", read], pythonpath=duckdb_release(minimum))
    assert ok.returncode == 0 and ok.stdout.split()[0] == minimum, ok.stderr[-2000:]
    old = run_python(["-c", read], pythonpath=duckdb_release("1.0.0"))
    assert old.returncode != 0 and "Serialization Error" in old.stderr, old.stdout
