"""Crash safety: a run SIGKILLed at any stage boundary leaves every partition as before or as
after, and the next run converges to exactly the tables of an uninterrupted run.

Real subprocesses (`python -m mhsip nightly`) killed by the failpoints in mhsip/failpoints.py.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.flows.helpers import (
    assert_same_tables,
    db_path,
    lake_digest,
    make_landing,
    snapshot,
    subprocess_env,
)

pytestmark = pytest.mark.slow
TRUSTS = ["RTQ", "RNU"]


def run_nightly(home: Path, landing: Path, **extra: str) -> int:
    """Run the CLI in its own process group; clean up anything it left (e.g. Prefect's server).

    stderr goes to a file, not a pipe: an orphaned child holding the pipe would block reads.
    """
    home.mkdir(parents=True, exist_ok=True)
    log = home.parent / f"{home.name}-stderr.log"
    with log.open("wb") as err:
        proc = subprocess.Popen(  # noqa: S603
            [sys.executable, "-m", "mhsip", "nightly"], env=subprocess_env(home, landing, **extra),
            stdout=subprocess.DEVNULL, stderr=err, start_new_session=True,
        )  # fmt: skip
        try:
            proc.wait(timeout=300)
        finally:
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
    if proc.returncode not in (0, -signal.SIGKILL):
        raise AssertionError(log.read_text(errors="replace")[-3000:])
    return proc.returncode


@pytest.fixture(scope="module")
def clean_run(tmp_path_factory, registry):  # noqa: ANN001, ANN201
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
        "inside_warehouse_transaction:3",
        "after_commit_before_marts",
    ],
)
def test_killed_run_converges_on_the_next_run(clean_run, tmp_path, failpoint) -> None:  # noqa: ANN001
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
