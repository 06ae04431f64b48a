"""Two real processes over the same warehouse: a lock, not luck.

A nightly and a backfill started together over overlapping months both finish, one after the
other, and the tables hold no duplicated and no missing rows; with a short lock timeout the
second exits with a one-line reason instead of a raw DuckDB lock error.
"""

from __future__ import annotations

import pytest

from tests.flows.helpers import (
    assert_same_tables,
    copy_months,
    db_path,
    finish_cli,
    make_landing,
    snapshot,
    start_cli,
)

pytestmark = pytest.mark.slow
TRUSTS = ["RWX", "R1C"]


@pytest.fixture(scope="module")
def source(tmp_path_factory, registry):
    root = tmp_path_factory.mktemp("concurrency")
    return make_landing(root, registry, TRUSTS, 3, seed=9)


def test_nightly_and_backfill_together_neither_duplicate_nor_lose_rows(source, tmp_path) -> None:
    reference_home = tmp_path / "reference"
    assert finish_cli(start_cli(["nightly"], reference_home, source, tmp_path / "ref.log")) == 0

    landing, home = tmp_path / "landing", tmp_path / "home"
    copy_months(source, landing, ["2024-01", "2024-02"])
    assert finish_cli(start_cli(["nightly"], home, landing, tmp_path / "first.log")) == 0
    copy_months(source, landing, ["2024-03"])  # the third month arrives
    nightly = start_cli(["nightly"], home, landing, tmp_path / "nightly.log")
    backfill = start_cli(
        ["backfill", "--from", "2024-01", "--to", "2024-03"], home, landing,
        tmp_path / "backfill.log",
    )  # fmt: skip
    assert finish_cli(nightly) == 0, (tmp_path / "nightly.log").read_text()[-2000:]
    assert finish_cli(backfill) == 0, (tmp_path / "backfill.log").read_text()[-2000:]

    after = snapshot(db_path(home))
    for table, key in (
        (
            "fct_restrictive_intervention",
            ["trust_code", "reporting_month", "incident_id", "intervention_id"],
        ),
        ("fct_ward_stay_month", ["trust_code", "reporting_month", "ward_stay_id"]),
    ):
        assert not after[table].duplicated(key).any(), table
    assert_same_tables(snapshot(db_path(reference_home)), after)


def test_second_writer_gives_up_with_a_one_line_reason(source, tmp_path) -> None:
    from filelock import FileLock

    home = tmp_path / "home"
    assert finish_cli(start_cli(["nightly"], home, source, tmp_path / "a.log")) == 0
    lock = FileLock(str(db_path(home)) + ".lock")
    with lock:  # another writer holds the warehouse
        code = finish_cli(start_cli(
            ["nightly"], home, source, tmp_path / "b.log", MHSIP_LOCK_TIMEOUT_SECONDS="2"
        ))  # fmt: skip
    output = (tmp_path / "b.log").read_text()
    assert code == 3
    assert "MHSIP_LOCK_TIMEOUT_SECONDS" in output
    assert "Traceback" not in output
