"""Faults on the PostgreSQL warehouse: a load that fails inside its transaction (as when the
server goes away mid-run) leaves no partition half-written, the run ends failed with the other
trusts loaded, and the next run converges to the tables of a clean run."""

from __future__ import annotations

import pytest

from tests.flows.helpers import (
    assert_same_tables,
    finish_cli,
    make_landing,
    pg_snapshot,
    start_cli,
)
from tests.warehouse.helpers import fresh_database

pytestmark = [pytest.mark.slow, pytest.mark.postgres]
TRUSTS = ["RVN", "RDY", "R1F"]


def test_a_failed_load_on_postgres_rolls_back_and_the_next_run_converges(
    pg_url, registry, tmp_path
) -> None:
    landing = make_landing(tmp_path, registry, TRUSTS, 3, seed=21)
    with fresh_database(pg_url) as (_, clean_url), fresh_database(pg_url) as (_, url):
        code = finish_cli(start_cli(
            ["nightly"], tmp_path / "clean", landing, tmp_path / "clean.log",
            MHSIP_WAREHOUSE_URL=clean_url,
        ))  # fmt: skip
        assert code == 0, (tmp_path / "clean.log").read_text()[-2000:]
        expected = pg_snapshot(clean_url)

        code = finish_cli(start_cli(
            ["nightly"], tmp_path / "home", landing, tmp_path / "fault.log",
            MHSIP_WAREHOUSE_URL=url, MHSIP_FAILPOINT="inside_warehouse_transaction:2",
            MHSIP_FAILPOINT_ACTION="raise",
        ))  # fmt: skip
        log = (tmp_path / "fault.log").read_text()
        assert code == 1, log[-2000:]
        assert "trust-months failed" in log and "Traceback" not in log.split("mhsip:")[-1]
        partial = pg_snapshot(url)
        subs = partial["etl_submission"]
        loaded_trusts = set(subs.trust_code)
        assert len(loaded_trusts) == len(TRUSTS) - 1  # one trust's chunk rolled back whole
        for table in ("fct_restrictive_intervention", "fct_ward_stay_month"):
            assert set(partial[table].submission_id) <= set(
                subs[subs.status == "loaded"].submission_id
            )

        code = finish_cli(start_cli(
            ["nightly"], tmp_path / "home", landing, tmp_path / "again.log",
            MHSIP_WAREHOUSE_URL=url,
        ))  # fmt: skip
        assert code == 0, (tmp_path / "again.log").read_text()[-2000:]
        assert_same_tables(pg_snapshot(url), expected)
