"""Submission states for `mhsip status`: nil returns and lateness are distinct outcomes."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from warehouse.submission_status import cell_state, due_date

MARCH = date(2024, 3, 1)


def rows(*items: tuple[str, str, int]) -> pd.DataFrame:
    return pd.DataFrame(items, columns=["dataset", "status", "rows_received"])


def test_due_date_is_the_due_day_of_the_next_month() -> None:
    assert due_date(MARCH, 15) == date(2024, 4, 15)
    assert due_date(date(2024, 12, 1), 10) == date(2025, 1, 10)


@pytest.mark.parametrize(
    ("today", "state"), [(date(2024, 4, 15), "missing"), (date(2024, 4, 16), "late")]
)
def test_nothing_received_is_late_only_after_the_due_day(today: date, state: str) -> None:
    assert cell_state(rows(), MARCH, today, 15) == state


def test_states_from_the_latest_versions() -> None:
    ri_loaded = ("restrictive_interventions", "loaded", 12)
    ws_loaded = ("ward_stays", "loaded", 40)
    assert cell_state(rows(ri_loaded, ws_loaded), MARCH, MARCH, 15) == "loaded"
    nil = ("restrictive_interventions", "loaded", 0)
    assert cell_state(rows(nil, ws_loaded), MARCH, MARCH, 15) == "nil"
    ws_rejected = ("ward_stays", "rejected", 40)
    assert cell_state(rows(ri_loaded, ws_rejected), MARCH, MARCH, 15) == "partial"
    ri_rejected = ("restrictive_interventions", "rejected", 12)
    assert cell_state(rows(ri_rejected, ws_rejected), MARCH, date(2025, 1, 1), 15) == "rejected"


def test_mhsip_status_reads_the_operators_copy_or_postgresql_while_a_run_holds_the_warehouse(
    wh, engine: str, warehouse_url: str, tmp_path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """DuckDB: the BI copy has no etl_* tables, so status reads the operators' full copy;
    PostgreSQL: the database itself, while `wh` (a run) holds the writer lock."""
    import json

    from typer.testing import CliRunner

    from mhsip.cli.app import app
    from tests.warehouse.helpers import intervention, loaded, ri_frame, stay, ws_frame
    from warehouse.partition_load import PartitionLoad

    jan = date(2024, 1, 1)
    wh.replace_partition(PartitionLoad("RX2", jan, [
        loaded("restrictive_interventions", "ri", ri_frame([intervention("RX2", jan, "I1")])),
        loaded("ward_stays", "ws", ws_frame([stay("RX2", jan, "S1", 31)])),
    ]))  # fmt: skip
    home = tmp_path / "home"
    if engine == "duckdb":
        wh.checkpoint_and_publish(
            home / "published" / "mhsip.duckdb", home / "operators" / "mhsip-operators-full.duckdb"
        )
    monkeypatch.setenv("MHSIP_HOME", str(home))
    monkeypatch.setenv("MHSIP_WAREHOUSE_URL", warehouse_url)
    args = ["status", "--json", "--from", "2024-01", "--to", "2024-01", "--as-of", "2024-03-01"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    states = {row["trust_code"]: row["state"] for row in json.loads(result.output)}
    assert states["RX2"] == "loaded" and states["RNU"] == "late"
    if engine == "duckdb":  # without the operators' copy there is nothing to read
        (home / "operators" / "mhsip-operators-full.duckdb").unlink()
        missing = CliRunner().invoke(app, args)
        assert missing.exit_code == 1 and "no warehouse published yet" in missing.output
