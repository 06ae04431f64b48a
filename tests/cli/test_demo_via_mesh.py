"""`mhsip demo --via mesh` gives the same warehouse as `mhsip demo`, reached through a real MESH
sandbox: every message collected (the mailbox is left empty) and no credential written."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.flows.helpers import assert_same_tables, snapshot

pytestmark = pytest.mark.slow
PASSWORD, SHARED_KEY = "demo-mesh-pw-T6yU3", "demo-mesh-sk-P1oI9"


def _demo(folder: Path, *extra: str) -> subprocess.CompletedProcess:
    folder.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MHSIP_", "PREFECT_"))}
    env |= {"PREFECT_SERVER_ANALYTICS_ENABLED": "false", "MHSIP_MESH_PASSWORD": PASSWORD,
            "MHSIP_MESH_SHARED_KEY": SHARED_KEY}  # fmt: skip
    done = subprocess.run(
        [sys.executable, "-m", "mhsip", "demo", "--months", "1", "--scale", "0.1", *extra],
        cwd=folder, env=env, capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return done


def test_demo_via_mesh_gives_the_demo_tables_and_empties_the_mailbox(tmp_path) -> None:
    plain = _demo(tmp_path / "plain")
    via = _demo(tmp_path / "mesh", "--via", "mesh")

    assert "32 files landed" in via.stdout + via.stderr
    assert "X26MHSIP01: 0 messages left" in via.stdout
    home = tmp_path / "mesh" / "mhsip-data"
    tables = snapshot(home / "warehouse" / "mhsip.duckdb")
    expected = snapshot(tmp_path / "plain" / "mhsip-data" / "warehouse" / "mhsip.duckdb")
    assert sum(len(tables[t]) for t in tables if t.startswith("fct_")) > 0
    assert_same_tables(expected, tables)
    for text in (via.stdout, via.stderr, plain.stdout):
        assert PASSWORD not in text and SHARED_KEY not in text
    for path in home.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            assert PASSWORD.encode() not in data and SHARED_KEY.encode() not in data, path
