"""`mhsip demo` as a newcomer runs it: a fresh folder, no key set, one command."""

from __future__ import annotations

import os
import subprocess
import sys

import duckdb
import pytest

pytestmark = pytest.mark.slow


def test_demo_runs_from_nothing_and_prints_where_everything_is(tmp_path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MHSIP_", "PREFECT_"))}
    env["PREFECT_SERVER_ANALYTICS_ENABLED"] = "false"
    done = subprocess.run(
        [sys.executable, "-m", "mhsip", "demo", "--months", "2", "--scale", "0.1"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    home = tmp_path / "mhsip-data"
    assert (home / "report" / "index.html").exists()
    assert "example query" in done.stdout and "HTML report" in done.stdout
    full = home / "operators" / "mhsip-operators-full.duckdb"
    with duckdb.connect(str(full), read_only=True) as con:
        trusts = con.sql("SELECT count(DISTINCT trust_code) FROM etl_submission").fetchone()
    with duckdb.connect(str(home / "published" / "mhsip.duckdb"), read_only=True) as con:
        rows = con.sql("SELECT count(*) FROM mart_trust_month WHERE trust_code = 'ALL'").fetchone()
        etl = con.sql(
            "SELECT count(*) FROM duckdb_tables() WHERE table_name LIKE 'etl%'"
        ).fetchone()
    assert trusts == (16,)
    assert rows == (2,)
    assert etl == (0,)  # the BI copy: nothing about loads
    assert not (tmp_path / ".prefect").exists()  # Prefect's home stays under MHSIP_HOME
    assert (home / "prefect").is_dir()


@pytest.mark.postgres
def test_demo_runs_on_postgres_and_reports_from_it(tmp_path, pg_url: str) -> None:
    """With MHSIP_WAREHOUSE_URL on PostgreSQL the demo loads it and the report reads it: no
    DuckDB copy is made or needed."""
    import psycopg

    from tests.warehouse.helpers import fresh_database

    with fresh_database(pg_url) as (_, url):
        env = {k: v for k, v in os.environ.items() if not k.startswith(("MHSIP_", "PREFECT_"))}
        env |= {"PREFECT_SERVER_ANALYTICS_ENABLED": "false", "MHSIP_WAREHOUSE_URL": url}
        done = subprocess.run(
            [sys.executable, "-m", "mhsip", "demo", "--months", "2", "--scale", "0.1"],
            cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600, check=False,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr[-3000:]
        home = tmp_path / "mhsip-data"
        index = (home / "report" / "index.html").read_text(encoding="utf-8")
        assert "mhsip_test_" in done.stdout and "grant-bi" in done.stdout
        assert not (home / "published").exists() and not (home / "operators").exists()
        libpq = url.replace("postgresql+psycopg://", "postgresql://", 1)
        with psycopg.connect(libpq) as conn:
            trusts = conn.execute(
                "SELECT count(DISTINCT trust_code) FROM etl_submission"
            ).fetchone()
            months = conn.execute(
                "SELECT to_char(reporting_month, 'YYYY-MM') FROM"
                " mart_trust_month WHERE trust_code = 'ALL' ORDER BY 1"
            ).fetchall()
        assert trusts == (16,)
        assert [m for (m,) in months] == ["2024-01", "2024-02"]
        assert "2024-02" in index
