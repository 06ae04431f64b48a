"""Faults on the PostgreSQL warehouse: a load that fails inside its transaction (as when the
server goes away mid-run) leaves no partition half-written, the run ends failed with the other
trusts loaded, and the next run converges to the tables of a clean run."""

from __future__ import annotations

import pandas as pd
import psycopg
import pytest
from sqlalchemy.engine import make_url

from tests.flows.helpers import finish_cli, make_landing, start_cli
from tests.warehouse.helpers import fresh_database

pytestmark = [pytest.mark.slow, pytest.mark.postgres]
TRUSTS = ["RVN", "RDY", "R1F"]
VOLATILE = {"received_at", "processed_at", "flow_run_id", "recorded_at"}


def tables(url: str) -> dict[str, pd.DataFrame]:
    libpq = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(libpq) as conn:
        names = [r[0] for r in conn.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'"
            " AND table_type = 'BASE TABLE' AND table_name <> 'alembic_version'"
        )]  # fmt: skip
        out = {}
        for name in sorted(names):
            cur = conn.execute(f'SELECT * FROM "{name}"')
            frame = pd.DataFrame(cur.fetchall(), columns=[c.name for c in cur.description or []])
            frame = frame.drop(columns=[c for c in frame.columns if c in VOLATILE])
            out[name] = frame.astype(str).sort_values(list(frame.columns)).reset_index(drop=True)
        return out


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
        expected = tables(clean_url)

        code = finish_cli(start_cli(
            ["nightly"], tmp_path / "home", landing, tmp_path / "fault.log",
            MHSIP_WAREHOUSE_URL=url, MHSIP_FAILPOINT="inside_warehouse_transaction:2",
            MHSIP_FAILPOINT_ACTION="raise",
        ))  # fmt: skip
        log = (tmp_path / "fault.log").read_text()
        assert code == 1, log[-2000:]
        assert "trust-months failed" in log and "Traceback" not in log.split("mhsip:")[-1]
        partial = tables(url)
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
        converged = tables(url)
        assert converged.keys() == expected.keys()
        for name in expected:
            pd.testing.assert_frame_equal(converged[name], expected[name], obj=name)
