"""Short soaks (benchmarks/soak.py): randomised nights with faults, each night's warehouse and
lake checked against a reference home that plays the same arrivals without faults. On DuckDB,
on a full disk (the soaked home on a tmpfs cut to a random headroom each night), and on a
throw-away PostgreSQL cluster of the soak's own (restarted between and during runs)."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

from tests.unavailable import skip_or_fail_in_ci

pytestmark = pytest.mark.slow
SOAK = Path(__file__).resolve().parents[2] / "benchmarks" / "soak.py"


def _soak_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("soak", SOAK)
    assert spec is not None and spec.loader is not None
    soak = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(soak)
    return soak


def test_two_randomised_nights_equal_their_fault_free_reference(tmp_path: Path) -> None:
    totals = _soak_module().soak(nights=2, seed=7, trusts=["RJ8", "ZZ1"], out=tmp_path)
    assert totals["nights"] == 2
    assert totals["divergences"] == 0


def test_nights_that_run_out_of_disk_equal_their_reference(tmp_path: Path) -> None:
    soak = _soak_module()
    reason = soak.tmpfs_unavailable()
    if reason:
        skip_or_fail_in_ci(reason, "the full-disk soak")
    totals = soak.soak(nights=2, seed=7, trusts=["RJ8"], out=tmp_path, faults=("disk_full",))
    assert totals["nights"] == 2
    assert totals["divergences"] == 0
    assert totals["fault:disk_full"] == 2


@pytest.mark.postgres
def test_randomised_nights_on_postgres_with_server_crashes_equal_their_reference(
    tmp_path: Path,
) -> None:
    soak = _soak_module()
    reason = soak.cluster_unavailable()
    if reason:
        skip_or_fail_in_ci(reason, "the PostgreSQL soak")
    # seed 3 draws a server crash during each night's nightly
    totals = soak.soak(nights=2, seed=3, trusts=["RJ8"], out=tmp_path, postgres=True)
    assert totals["nights"] == 2
    assert totals["divergences"] == 0
    assert totals["fault:pg_restart_during"] == 2
