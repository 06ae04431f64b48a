"""Configuration that cannot work fails at once: exit 2, one line naming the setting or the
file and key, no traceback, and nothing written (no warehouse, no MHSIP_HOME, no stray file)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from flows.preflight import check_settings, landing_problem, warehouse_problem
from flows.settings import REPO_CONFIG, Settings
from tests.flows.helpers import TEST_ARCHIVE_KEY

REPO = Path(__file__).resolve().parents[2]


def _run(tmp_path: Path, cwd: Path | None = None, **env: str) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "MHSIP_"))}
    landing = tmp_path / "landing"
    landing.mkdir(exist_ok=True)
    base.update(MHSIP_HOME=str(tmp_path / "home"), MHSIP_LANDING=str(landing),
                MHSIP_PSEUDONYMISATION_KEY="preflight-test-key",
                MHSIP_ARCHIVE_KEY=TEST_ARCHIVE_KEY,
                PYTHONPATH=str(REPO))  # fmt: skip
    base.update(env)
    return subprocess.run(
        [sys.executable, "-m", "mhsip.cli.app", "nightly"], cwd=cwd or tmp_path, env=base,
        capture_output=True, timeout=120, check=False,
    )  # fmt: skip


def _one_line_exit_2(done: subprocess.CompletedProcess, *fragments: str) -> str:
    stderr = done.stderr.decode()
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert done.returncode == 2, stderr
    assert len(lines) == 1, stderr
    assert "Traceback" not in stderr
    for fragment in fragments:
        assert fragment in lines[0], lines[0]
    return lines[0]


def _nothing_written(tmp_path: Path) -> None:
    assert sorted(p.name for p in tmp_path.iterdir()) == ["landing"], list(tmp_path.iterdir())


@pytest.mark.slow
@pytest.mark.parametrize("url", ["mysql://u:p@host/db", "not a url", "sqlite:///x.db"])
def test_a_warehouse_url_that_is_not_duckdb_or_postgres_exits_2(tmp_path: Path, url: str):
    done = _run(tmp_path, MHSIP_WAREHOUSE_URL=url)
    _one_line_exit_2(done, "MHSIP_WAREHOUSE_URL", "neither a DuckDB file")
    _nothing_written(tmp_path)


@pytest.mark.slow
def test_a_home_under_a_regular_file_or_proc_exits_2(tmp_path: Path) -> None:
    (tmp_path / "afile").write_text("x")
    done = _run(tmp_path, MHSIP_HOME=str(tmp_path / "afile" / "home"))
    _one_line_exit_2(done, "MHSIP_HOME", "is a file")
    done = _run(tmp_path, MHSIP_HOME="/proc/mhsip-home")
    _one_line_exit_2(done, "MHSIP_HOME", "not writable")


@pytest.mark.slow
def test_a_missing_landing_zone_exits_2(tmp_path: Path) -> None:
    done = _run(tmp_path, MHSIP_LANDING=str(tmp_path / "unmounted"))
    _one_line_exit_2(done, "MHSIP_LANDING", "does not exist")
    _nothing_written(tmp_path)


@pytest.mark.slow
@pytest.mark.parametrize(
    ("key", "value", "says"),
    [("date_formats", '["%Q-%m-%d"]', "date_formats"),
     ("local_patient_id_pattern", '"RIO[0-9"', "local_patient_id_pattern")],
)  # fmt: skip
def test_a_trust_yaml_that_cannot_work_exits_2_naming_file_and_key(
    tmp_path: Path, key: str, value: str, says: str
) -> None:
    config = tmp_path / "config"
    shutil.copytree(REPO_CONFIG, config)
    path = config / "trusts" / "RJ8.yaml"
    lines = [line for line in path.read_text().splitlines() if not line.startswith(f"{key}:")]
    path.write_text("\n".join([*lines, f"{key}: {value}"]) + "\n")
    done = _run(tmp_path, MHSIP_CONFIG_DIR=str(config))
    _one_line_exit_2(done, "RJ8.yaml", says)
    assert not (tmp_path / "home").exists()


def test_accepted_warehouse_urls() -> None:
    good = ("duckdb:////tmp/x/mhsip.duckdb", "duckdb:///rel.duckdb", "/data/mhsip.duckdb",
            "postgresql+psycopg://postgres@127.0.0.1:5432/test", "postgresql://u@h/db")  # fmt: skip
    for url in good:
        assert warehouse_problem(url) is None, url
    for url in ("mysql://u:p@host/db", "not a url", "duckdb:///", "s3://bucket/x.duckdb", ""):
        assert warehouse_problem(url), url


def test_an_empty_landing_zone_is_fine_a_file_or_missing_one_is_not(tmp_path: Path) -> None:
    assert landing_problem(str(tmp_path)) is None
    (tmp_path / "f").write_text("x")
    assert "is not a folder" in (landing_problem(str(tmp_path / "f")) or "")
    assert "does not exist" in (landing_problem(str(tmp_path / "gone")) or "")
    settings = Settings(home=tmp_path / "home", landing=str(tmp_path))
    check_settings(settings, landing=True)
    assert not (tmp_path / "home").exists()  # checking created nothing
