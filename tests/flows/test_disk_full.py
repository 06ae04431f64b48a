"""A nightly on a full disk: MHSIP_HOME on a small tmpfs, so the run meets ENOSPC at some stage
(creating the warehouse, Prefect's database, publishing the BI copy). The run must fail with one
line naming the problem, and once there is space again the next nightly must leave exactly the
warehouse and lake of a home that never ran out (nothing half-written left visible: a
submission marked loaded without its facts would differ)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from mhsip.config_loader import load_registry
from tests.flows.helpers import (
    assert_same_tables,
    db_path,
    finish_cli,
    home_env,
    lake_digest,
    make_landing,
    snapshot,
    start_cli,
)
from tests.flows.tmpfs import LARGE, resize, tmpfs_mount, tmpfs_unavailable, used_bytes
from tests.unavailable import skip_or_fail_in_ci

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]
NAMES_THE_DISK = re.compile(r"no space left on device|disk is full|check the disk", re.I)


@pytest.fixture(scope="module")
def clean_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict, dict]:
    """The landing zone (two trust-months) and what a home with room to spare makes of it."""
    reason = tmpfs_unavailable()
    if reason:
        skip_or_fail_in_ci(reason, "the full-disk test")
    root = tmp_path_factory.mktemp("disk-full")
    landing = make_landing(root, load_registry(ROOT / "config"), ["RJ8", "RWX"], 1, faults=False)
    home = root / "roomy"
    assert finish_cli(start_cli(["nightly"], home, landing, root / "roomy.log")) == 0
    return landing, snapshot(db_path(home)), lake_digest(home / "lake")


# Space for the whole run (a first nightly here uses about 40 MB): none, so the warehouse file
# itself cannot be created; 8 MiB, in which Prefect's temporary server cannot build its SQLite
# database (Prefect retries its start for some 2 minutes); 20 MB, outgrown at the end, while
# the BI copy is published. The stages are what was observed; the assertions hold at any.
@pytest.mark.parametrize("headroom_kib", [0, 8192, 20000])
def test_a_nightly_on_a_full_disk_fails_in_one_line_and_the_next_converges(
    tmp_path: Path, clean_run: tuple[Path, dict, dict], headroom_kib: int
) -> None:
    landing, tables, lake = clean_run
    with tmpfs_mount(tmp_path / "disk", LARGE) as disk:
        home = disk / "home"
        home.mkdir()
        home_env(home, landing)  # its reference data, written while there is room
        resize(disk, used_bytes(disk) + headroom_kib * 1024)
        full = tmp_path / "full.log"
        code = finish_cli(start_cli(["nightly"], home, landing, full))
        output = full.read_text(errors="replace")
        reasons = [line for line in output.splitlines() if line.startswith("mhsip: ")]
        assert code == 1, output[-3000:]
        assert reasons and NAMES_THE_DISK.search(reasons[-1]), output[-3000:]

        resize(disk, LARGE)
        again = tmp_path / "again.log"
        assert finish_cli(start_cli(["nightly"], home, landing, again)) == 0, again.read_text()
        assert_same_tables(snapshot(db_path(home)), tables)
        assert lake_digest(home / "lake") == lake
