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
        etl = con.sql("SELECT count(*) FROM duckdb_tables() WHERE table_name LIKE 'etl%'").fetchone()
    assert trusts == (16,)
    assert rows == (2,)
    assert etl == (0,)  # the BI copy: nothing about loads
    assert not (tmp_path / ".prefect").exists()  # Prefect's home stays under MHSIP_HOME
    assert (home / "prefect").is_dir()
