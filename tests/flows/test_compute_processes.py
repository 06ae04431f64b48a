"""The waves computed in worker processes give the same tables and lake bytes as computed in
the flow's process, on a mixed landing zone (XLSX, CSV, Parquet, with faults) over several
waves."""

from __future__ import annotations

from pathlib import Path

import pytest

from flows import compute_pool
from tests.flows.helpers import (
    assert_same_tables,
    db_path,
    home_env,
    lake_digest,
    make_landing,
    snapshot,
)

pytestmark = pytest.mark.slow
TRUSTS = ["RX2", "NQL", "RH5", "RXY"]  # XLSX, CSV (dd/mm dates), Parquet, CSV


def _nightly(home: Path, landing: Path, processes: int, monkeypatch) -> dict:
    from flows.nightly import nightly_flow

    env = home_env(home, landing, MHSIP_COMPUTE_PROCESSES=str(processes), MHSIP_CHUNK_MONTHS="3")
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    return nightly_flow()


def test_worker_processes_give_the_same_tables_and_lake(
    registry, prefect_server, tmp_path, monkeypatch
) -> None:
    landing = make_landing(tmp_path / "source", registry, TRUSTS, 7, seed=23, faults=True)
    in_process = _nightly(tmp_path / "one", landing, 1, monkeypatch)

    calls: list[int] = []
    real_run = compute_pool.ComputePool.run

    def counting_run(self, fn, *args):  # the real pool, counted
        calls.append(self.processes)
        return real_run(self, fn, *args)

    monkeypatch.setattr(compute_pool.ComputePool, "run", counting_run)
    in_workers = _nightly(tmp_path / "two", landing, 2, monkeypatch)

    assert calls and set(calls) == {2}  # 7 months in 3-month chunks: 3 waves of 2 groups
    assert len(calls) == 6
    assert in_process["partitions"] == in_workers["partitions"] == len(TRUSTS) * 7
    statuses = [(f["trust_code"], f["reporting_month"], f["dataset"], f["status"],
                 f["rows_loaded"], f["rows_quarantined"]) for f in in_process["files"]]  # fmt: skip
    assert sorted(statuses) == sorted(
        (f["trust_code"], f["reporting_month"], f["dataset"], f["status"], f["rows_loaded"],
         f["rows_quarantined"]) for f in in_workers["files"]
    )  # fmt: skip
    assert any(status == "rejected" for *_, status, _, _ in statuses)  # the faults were there
    assert any(quarantined for *_, quarantined in statuses)
    assert_same_tables(snapshot(db_path(tmp_path / "one")), snapshot(db_path(tmp_path / "two")))
    assert lake_digest(tmp_path / "one" / "lake") == lake_digest(tmp_path / "two" / "lake")


def test_the_nightly_starts_its_workers_before_the_flow_and_the_flow_uses_them(
    registry, prefect_server, tmp_path, monkeypatch
) -> None:
    from flows.settings import Settings
    from mhsip.cli import commands

    landing = make_landing(tmp_path / "source", registry, TRUSTS[:2], 2, seed=5, faults=False)
    env = home_env(tmp_path / "home", landing, MHSIP_COMPUTE_PROCESSES="2")
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    events: list[tuple[str, int]] = []
    real_spawn, real_run = compute_pool.ComputePool.spawn, compute_pool.ComputePool.run

    def spawn(self):
        events.append(("spawn", id(self)))
        return real_spawn(self)

    def run(self, fn, *args):
        events.append(("run", id(self)))
        return real_run(self, fn, *args)

    monkeypatch.setattr(compute_pool.ComputePool, "spawn", spawn)
    monkeypatch.setattr(compute_pool.ComputePool, "run", run)
    result = commands.run_nightly(Settings(), None)

    assert result["partitions"] == 4 and not result["failures"]
    assert events[0][0] == "spawn"  # started by the survey, before the flow's first wave
    assert {kind for kind, _ in events[1:]} == {"run"}
    assert {pool for _, pool in events} == {events[0][1]}  # one pool: the early one
    assert not compute_pool._early  # taken by the run and closed with it


def test_an_early_pool_of_another_size_is_stopped_not_used() -> None:
    compute_pool.start_early(2)
    early = compute_pool._early[0]
    with compute_pool.compute_pool(1) as pool:
        assert pool is None
    assert early._executor is None and not compute_pool._early
    compute_pool.start_early(2)
    compute_pool.discard_early()
    assert not compute_pool._early
