"""Crash safety: a run SIGKILLed at any stage boundary leaves every partition as before or as
after, and the next run converges to exactly the tables of an uninterrupted run.

Real subprocesses (`python -m mhsip nightly`) killed by the failpoints in mhsip/failpoints.py.
"""

from __future__ import annotations

import os
import signal
import time
from datetime import date
from pathlib import Path

import pytest

from tests.flows.helpers import (
    assert_same_tables,
    db_path,
    finish_cli,
    lake_digest,
    make_landing,
    snapshot,
    start_cli,
)
from warehouse.lake import partition_path

pytestmark = pytest.mark.slow
TRUSTS = ["RTQ", "RNU"]


def run_nightly(home: Path, landing: Path, **extra: str) -> int:
    log = home.parent / f"{home.name}.log"
    code = finish_cli(start_cli(["nightly"], home, landing, log, **extra), timeout=300)
    if code not in (0, -signal.SIGKILL):
        raise AssertionError(log.read_text(errors="replace")[-3000:])
    return code


@pytest.fixture(scope="module")
def clean_run(tmp_path_factory, registry):
    root = tmp_path_factory.mktemp("crash")
    landing = make_landing(root, registry, TRUSTS, 3, seed=3)
    home = root / "reference-home"
    assert run_nightly(home, landing) == 0
    return landing, snapshot(db_path(home)), lake_digest(home / "lake")


@pytest.mark.parametrize(
    "failpoint",
    [
        "after_archive",
        "after_lake_write:2",
        "inside_warehouse_transaction",
        "inside_warehouse_transaction:2",
        "after_commit_before_marts",
    ],
)
def test_killed_run_converges_on_the_next_run(clean_run, tmp_path, failpoint) -> None:
    landing, expected_tables, expected_lake = clean_run
    home = tmp_path / "home"
    assert run_nightly(home, landing, MHSIP_FAILPOINT=failpoint) == -signal.SIGKILL
    if db_path(home).exists():  # killed mid-run: no partition may be half there
        partial = snapshot(db_path(home))
        subs = partial["etl_submission"]
        for table in ("fct_restrictive_intervention", "fct_ward_stay_month"):
            loaded = set(subs[subs.status == "loaded"].submission_id)
            assert set(partial[table].submission_id) <= loaded
    assert run_nightly(home, landing) == 0
    assert_same_tables(expected_tables, snapshot(db_path(home)))
    assert lake_digest(home / "lake") == expected_lake


@pytest.mark.parametrize("failpoint", ["after_archive", "after_lake_write:2"])
def test_a_run_killed_in_a_compute_worker_dies_whole_and_converges(
    clean_run, tmp_path, failpoint
) -> None:
    """A worker process killed mid-compute takes the run with it (as a crash of the machine
    would), never a half-finished run that goes on; the next run converges."""
    landing, expected_tables, expected_lake = clean_run
    home = tmp_path / "home"
    workers = {"MHSIP_COMPUTE_PROCESSES": "2", "MHSIP_CHUNK_MONTHS": "1"}  # 3 waves of 2 groups
    log = tmp_path / "killed.log"
    proc = start_cli(["nightly"], home, landing, log, MHSIP_FAILPOINT=failpoint, **workers)
    try:
        assert proc.wait(timeout=300) == -signal.SIGKILL, log.read_text(errors="replace")[-3000:]
        deadline = time.monotonic() + 10  # the other worker exits within a second of the run
        while _left_in_session(proc.pid) and time.monotonic() < deadline:
            time.sleep(0.5)
        assert not _left_in_session(proc.pid), "a worker outlived its killed run"
    finally:
        finish_cli(proc)
    assert run_nightly(home, landing, **workers) == 0
    assert_same_tables(expected_tables, snapshot(db_path(home)))
    assert lake_digest(home / "lake") == expected_lake


def _left_in_session(session: int) -> list[int]:
    """Processes still alive in the run's session, but for its leftover Prefect server (its own
    process, stopped by `finish_cli`)."""
    left = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if os.getsid(int(entry.name)) != session:
                continue
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ")
        except (ProcessLookupError, FileNotFoundError, PermissionError):
            continue
        if b"multiprocessing" in command:
            left.append(int(entry.name))
    return left


def test_a_trust_whose_chunk_fails_stops_alone_and_the_next_run_converges(
    clean_run, tmp_path
) -> None:
    """A chunk whose compute raises (here: the first file archived) fails its trust's months,
    including the later chunk derived from its history, which is reported as not processed;
    the other trust loads; the run exits 1; the next run converges to a clean run's tables."""
    landing, expected_tables, _ = clean_run
    home = tmp_path / "home"
    log = tmp_path / "fault.log"
    code = finish_cli(start_cli(
        ["nightly"], home, landing, log, MHSIP_FAILPOINT="after_archive",
        MHSIP_FAILPOINT_ACTION="raise", MHSIP_CHUNK_MONTHS="2",  # 2 chunks a trust: 2 waves
    ), timeout=300)  # fmt: skip
    output = log.read_text(errors="replace")
    assert code == 1, output[-3000:]
    failed = [line for line in output.splitlines() if line.strip().startswith("failed ")]
    assert len(failed) == 3, output[-3000:]  # one trust's 3 months, in chunks of 2 and 1
    assert len({line.split()[1] for line in failed}) == 1  # all the same trust
    assert sum("injected fault at after_archive" in line for line in failed) == 2
    assert sum("not processed: an earlier chunk of" in line for line in failed) == 1
    subs = snapshot(db_path(home))["etl_submission"]
    assert set(subs.trust_code) == set(TRUSTS) - {failed[0].split()[1]}
    assert run_nightly(home, landing) == 0
    assert_same_tables(expected_tables, snapshot(db_path(home)))


def test_a_trust_whose_load_fails_is_not_computed_further_in_the_run(clean_run, tmp_path) -> None:
    """One-month chunks, three waves. The first load's transaction fails: that trust's second
    month (submitted before the failure was known) is computed but not loaded, and its third
    month is not computed at all (no lake partition written). The other trust loads; the next
    run converges to a clean run's tables."""
    landing, expected_tables, _ = clean_run
    home = tmp_path / "home"
    log = tmp_path / "fault.log"
    code = finish_cli(start_cli(
        ["nightly"], home, landing, log, MHSIP_FAILPOINT="inside_warehouse_transaction",
        MHSIP_FAILPOINT_ACTION="raise", MHSIP_CHUNK_MONTHS="1",
    ), timeout=300)  # fmt: skip
    output = log.read_text(errors="replace")
    assert code == 1, output[-3000:]
    failed = [line.split() for line in output.splitlines() if line.strip().startswith("failed ")]
    assert len(failed) == 3 and len({words[1] for words in failed}) == 1, output[-3000:]
    trust = failed[0][1]
    assert sorted(words[2].rstrip(":") for words in failed) == ["2024-01", "2024-02", "2024-03"]
    assert sum("injected fault at inside_warehouse_transaction" in " ".join(w) for w in failed) == 1
    assert sum("not processed: an earlier chunk of" in " ".join(w) for w in failed) == 2
    third = [
        partition_path(str(home / "lake"), table, trust, date(2024, 3, 1))
        for table in ("fct_restrictive_intervention", "fct_ward_stay_month")
    ]
    assert not any(Path(path).exists() for path in third)
    subs = snapshot(db_path(home))["etl_submission"]
    assert set(subs.trust_code) == set(TRUSTS) - {trust}
    assert run_nightly(home, landing) == 0
    assert_same_tables(expected_tables, snapshot(db_path(home)))
