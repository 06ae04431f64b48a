"""The warehouse records a fingerprint of the pseudonymisation key; a run with another key stops
before changing anything (exit 2, one line), on DuckDB and PostgreSQL."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from flows.preflight import SettingsError
from flows.runs import check_key
from tests.flows.helpers import TEST_ARCHIVE_KEY, snapshot
from tests.warehouse.helpers import fresh_database
from transforms.identifiers import key_fingerprint
from warehouse.engine import open_warehouse

REPO = Path(__file__).resolve().parents[2]


def test_the_fingerprint_identifies_the_key_without_revealing_it() -> None:
    first = key_fingerprint(b"key-one")
    assert first == key_fingerprint(b"key-one") != key_fingerprint(b"key-two")
    assert "key-one" not in first and len(first) == 64


def _check(url: str) -> None:
    with open_warehouse(url) as wh:
        assert wh.key_fingerprint() is None
        check_key(wh, b"key-one")  # the first run records its key
        assert wh.key_fingerprint() == key_fingerprint(b"key-one")
        check_key(wh, b"key-one")
        with pytest.raises(SettingsError, match="differs from the one this warehouse was built"):
            check_key(wh, b"key-two")
        assert wh.key_fingerprint() == key_fingerprint(b"key-one")  # unchanged
        assert len(wh.query("SELECT * FROM etl_key_check")) == 1


def test_another_key_is_refused_on_duckdb(tmp_path: Path) -> None:
    _check(f"duckdb:///{tmp_path / 'wh.duckdb'}")


@pytest.mark.postgres
def test_another_key_is_refused_on_postgres(pg_url: str) -> None:
    with fresh_database(pg_url) as (_name, url):
        _check(url)


@pytest.mark.slow
def test_a_nightly_with_another_key_exits_2_and_changes_nothing(tmp_path: Path, registry) -> None:
    from synthetic import generate

    landing, home = tmp_path / "landing", tmp_path / "home"
    generate(landing, registry, date(2024, 1, 1), 1, ["RJ8"], scale=0.1, seed=2, faults=False)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "MHSIP_"))}
    env.update(MHSIP_HOME=str(home), MHSIP_LANDING=str(landing), MHSIP_MAX_WORKERS="1",
               MHSIP_ARCHIVE_KEY=TEST_ARCHIVE_KEY,
               PREFECT_SERVER_ANALYTICS_ENABLED="false")  # fmt: skip

    def nightly(key: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "mhsip.cli.app", "nightly"], cwd=REPO, capture_output=True,
            env={**env, "MHSIP_PSEUDONYMISATION_KEY": key}, timeout=300, check=False,
        )  # fmt: skip

    assert nightly("first-test-key").returncode == 0
    db = home / "warehouse" / "mhsip.duckdb"
    before = snapshot(db, drop_volatile=False)
    generate(landing, registry, date(2024, 2, 1), 1, ["RJ8"], scale=0.1, seed=3, faults=False)
    done = nightly("second-test-key")
    stderr = done.stderr.decode()
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert done.returncode == 2, stderr[-2000:]
    assert len(lines) == 1 and "differs from the one this warehouse was built with" in lines[0]
    assert "Traceback" not in stderr
    after = snapshot(db, drop_volatile=False)
    assert after.keys() == before.keys()
    for name in before:
        assert before[name].equals(after[name]), name
