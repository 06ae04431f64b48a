"""Identifiers and the pseudonymisation key never leave the raw archive; no key, no run.

The full run is a subprocess of the real CLI with nothing inherited from the test session's
Prefect setup, so Prefect's home (database, logs, artifacts) is the default under MHSIP_HOME and
is searched too. Two more runs in-process over the same landing zone check pseudonym stability.
"""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from tests.hostile.helpers import builders
from tests.hostile.helpers.corpus import Site
from tests.hostile.helpers.identifiers import identifiers_in

pytestmark = pytest.mark.slow
REPO = Path(__file__).resolve().parents[2]
KEY = "zq-Distinctive-Pseudonym-Key-7e1f09c2"  # a test key: searched for, never a real secret
OTHER_KEY = "another-test-key-5b7d"
ARCHIVE_KEY = "R2hKZGlzdGluY3RpdmUtYXJjaGl2ZS1rZXktNGMyYTk="  # 32 bytes, a test key: searched for
TRUSTS = ["RWV", "ZZ1", "RWX"]  # NHS number + local id, local id only, spaced NHS number


def _clean_env(home: Path, landing: Path, key: str | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "MHSIP_"))}
    env.update(MHSIP_HOME=str(home), MHSIP_LANDING=str(landing), MHSIP_MAX_WORKERS="2",
               PREFECT_SERVER_ANALYTICS_ENABLED="false", DO_NOT_TRACK="1")  # fmt: skip
    if key is not None:
        env["MHSIP_PSEUDONYMISATION_KEY"] = key
        env["MHSIP_ARCHIVE_KEY"] = ARCHIVE_KEY
    return env


def _patient_keys(home: Path) -> set[str]:
    with duckdb.connect(str(home / "warehouse" / "mhsip.duckdb"), read_only=True) as con:
        rows = con.sql(
            "SELECT patient_key FROM fct_restrictive_intervention UNION "
            "SELECT patient_key FROM fct_ward_stay_month"
        ).fetchall()
    return {r[0] for r in rows}


@pytest.fixture(scope="module")
def cli_run(tmp_path_factory, registry):
    from synthetic import generate

    root = tmp_path_factory.mktemp("secrets")
    landing, home = root / "landing", root / "home"
    generate(landing, registry, date(2024, 1, 1), 2, TRUSTS, scale=0.15, seed=3, faults=False)
    identifiers = identifiers_in(landing, registry)
    # A data row read as the header would put identifiers into a rejection message.
    builders.header_on_row_one(Site(landing, root, registry, "RWV", "2024-01"))
    env = _clean_env(home, landing, KEY)
    done = subprocess.run(
        [sys.executable, "-m", "mhsip.cli.app", "nightly"], cwd=REPO, env=env, capture_output=True,
        timeout=600, check=False,
    )  # fmt: skip
    return {"root": root, "landing": landing, "home": home, "done": done, "ids": identifiers}


def test_the_cli_run_succeeds_with_prefect_home_inside_mhsip_home(cli_run) -> None:
    done = cli_run["done"]
    assert done.returncode == 0, done.stderr.decode()[-2000:]
    assert (cli_run["home"] / "prefect" / "prefect.db").exists()
    assert b"rejected" in done.stdout  # the header-in-wrong-row file


def test_no_key_or_identifier_in_any_file_under_home_the_archive_included(cli_run) -> None:
    """The raw archive is encrypted at rest: every byte of it is searched too."""
    home, identifiers = cli_run["home"], cli_run["ids"]
    assert len(identifiers) > 50
    needles = [KEY.encode(), ARCHIVE_KEY.encode(), *(i.encode() for i in identifiers)]
    searched, archived, hits = 0, 0, []
    for path in home.rglob("*"):
        if not path.is_file():
            continue
        data = path.read_bytes()
        searched += 1
        archived += path.relative_to(home).parts[0] == "archive"
        hits += [(str(path.relative_to(home)), n.decode()) for n in needles if n in data]
    assert searched > 5
    assert archived >= 2 * len(TRUSTS) * 2 - 1  # both datasets, two months, each trust
    assert hits == []
    output = cli_run["done"].stdout + cli_run["done"].stderr
    assert [n for n in needles if n in output] == []


def test_no_identifier_in_warehouse_or_lake_values(cli_run) -> None:
    """Parquet and DuckDB compress text, so their values are searched decoded as well."""
    import pyarrow.parquet as pq

    home, identifiers = cli_run["home"], cli_run["ids"]
    frames = [pq.read_table(p).to_pandas() for p in (home / "lake").rglob("*.parquet")]
    with duckdb.connect(str(home / "warehouse" / "mhsip.duckdb"), read_only=True) as con:
        names = [r[0] for r in con.sql("SELECT table_name FROM duckdb_tables()").fetchall()]
        frames += [con.sql(f'SELECT * FROM "{name}"').df() for name in names]
    assert len(frames) > 10
    cells = {str(v) for frame in frames for v in frame.astype(str).to_numpy().ravel()}
    assert {i for i in identifiers for cell in cells if i in cell} == set()


def test_pseudonyms_are_stable_for_a_key_and_differ_between_keys(
    cli_run, prefect_server, monkeypatch
) -> None:
    from flows.nightly import nightly_flow

    def run(name: str, key: str) -> set[str]:
        home = cli_run["root"] / name
        monkeypatch.setenv("MHSIP_HOME", str(home))
        monkeypatch.setenv("MHSIP_LANDING", str(cli_run["landing"]))
        monkeypatch.setenv("MHSIP_PSEUDONYMISATION_KEY", key)
        nightly_flow()
        return _patient_keys(home)

    first = _patient_keys(cli_run["home"])
    assert len(first) > 20
    assert run("same-key", KEY) == first
    assert run("other-key", OTHER_KEY).isdisjoint(first)


def test_without_a_key_the_cli_refuses_with_exit_2(tmp_path, monkeypatch) -> None:
    from mhsip.cli.app import app

    for name in ("MHSIP_PSEUDONYMISATION_KEY", "MHSIP_DEMO_MODE", "MHSIP_ARCHIVE_KEY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("MHSIP_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("MHSIP_LANDING", str(tmp_path / "landing"))
    result = CliRunner().invoke(app, ["nightly"])
    assert result.exit_code == 2
    text = " ".join(result.output.split())
    assert "mhsip: no pseudonymisation key: set MHSIP_PSEUDONYMISATION_KEY" in text
    assert "Traceback" not in text
    assert not (tmp_path / "home" / "warehouse").exists()  # refused before touching anything


def test_without_a_key_a_subprocess_exits_2_with_one_line(tmp_path) -> None:
    env = _clean_env(tmp_path / "home", tmp_path / "landing", None)
    done = subprocess.run(
        [sys.executable, "-m", "mhsip.cli.app", "nightly"], cwd=REPO, env=env, capture_output=True,
        timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 2
    lines = [line for line in done.stderr.decode().splitlines() if line.strip()]
    assert lines[0].startswith("mhsip: no pseudonymisation key")
    assert "Traceback" not in done.stderr.decode()


def test_without_an_archive_key_a_subprocess_exits_2_with_one_line(tmp_path) -> None:
    env = _clean_env(tmp_path / "home", tmp_path / "landing", KEY)
    del env["MHSIP_ARCHIVE_KEY"]
    done = subprocess.run(
        [sys.executable, "-m", "mhsip.cli.app", "nightly"], cwd=REPO, env=env, capture_output=True,
        timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 2
    text = " ".join(done.stderr.decode().split())  # the console may wrap the line
    assert text == ("mhsip: no archive key: set MHSIP_ARCHIVE_KEY (or MHSIP_DEMO_MODE=true for "
                    "synthetic demo data only)")  # fmt: skip
    env["MHSIP_ARCHIVE_KEY"] = "not-a-key"
    done = subprocess.run(
        [sys.executable, "-m", "mhsip.cli.app", "nightly"], cwd=REPO, env=env, capture_output=True,
        timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 2
    assert "MHSIP_ARCHIVE_KEY is not an archive key" in done.stderr.decode()
    assert "not-a-key" not in done.stderr.decode()
