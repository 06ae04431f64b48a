"""`mhsip status` stays readable in 80 columns or a pipe: trust codes and month labels show."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date

import pandas as pd
import pytest

from mhsip.cli.status_matrix import add_months, default_window, matrix_blocks

TRUSTS = ["NQL", "R1C", "RJ8", "ZZ1"]
MONTHS = [add_months(date(2024, 1, 1), i) for i in range(24)]


def _frame(trusts: list[str], months: list[date]) -> pd.DataFrame:
    states = ["loaded", "nil", "partial", "rejected", "late", "missing"]
    return pd.DataFrame([
        {"trust_code": t, "reporting_month": f"{m:%Y-%m}", "state": states[(i + j) % 6]}
        for i, t in enumerate(trusts) for j, m in enumerate(months)
    ])  # fmt: skip


def test_the_default_window_is_the_last_twelve_months_received() -> None:
    assert default_window(date(2024, 1, 1), date(2025, 12, 1), None, None) == (
        date(2025, 1, 1), date(2025, 12, 1))  # fmt: skip
    assert default_window(date(2025, 6, 1), date(2025, 12, 1), None, None)[0] == date(2025, 6, 1)
    assert default_window(date(2024, 1, 1), date(2025, 12, 1), date(2024, 1, 1), None) == (
        date(2024, 1, 1), date(2025, 12, 1))  # fmt: skip
    assert default_window(date(2024, 1, 1), date(2025, 12, 1), None, date(2024, 6, 1)) == (
        date(2024, 1, 1), date(2024, 6, 1))  # fmt: skip


@pytest.mark.parametrize("width", [40, 80, 132])
def test_every_block_fits_and_carries_its_labels(width: int) -> None:
    blocks = matrix_blocks(_frame(TRUSTS, MONTHS), MONTHS, width)
    shown = []
    for block in blocks:
        assert all(len(line) <= width for line in block)
        assert [line.split()[0] for line in block] == ["trust", *TRUSTS]
        labels = block[0].split()[1:]
        shown += labels
        assert all(len(line.split()) == len(labels) + 1 for line in block)
    assert shown == [f"{m:%y-%m}" for m in MONTHS]
    assert len(blocks) == -(-24 // max(1, (width - 6) // 6))


def test_twelve_months_fit_in_80_columns_in_one_block() -> None:
    assert len(matrix_blocks(_frame(TRUSTS, MONTHS[:12]), MONTHS[:12], 80)) == 1


def test_a_resubmissions_changes_in_one_line() -> None:
    from mhsip.cli.status_matrix import change_lines

    changes = pd.DataFrame({
        "trust_code": ["RX2", "RX2"], "reporting_month": [date(2024, 3, 1)] * 2,
        "measure": ["interventions", "interventions_per_1000_obd"],
        "value_before": [41.0, 12.5], "value_after": [58.0, 17.25], "changed_at": ["t1"] * 2,
    })  # fmt: skip
    assert change_lines(changes) == [
        "RX2 2024-03: interventions 41 -> 58, interventions_per_1000_obd 12.50 -> 17.25"
    ]


@pytest.mark.slow
def test_status_in_80_columns_on_a_generated_warehouse(tmp_path, registry) -> None:
    from tests.warehouse.helpers import intervention, loaded, rejected, ri_frame, ws_frame
    from warehouse.engine import open_warehouse
    from warehouse.partition_load import PartitionLoad

    home = tmp_path / "home"
    trusts = sorted(registry.trusts)
    loads = []
    for t in trusts:
        for i, m in enumerate(MONTHS):
            sid = f"{t}-{m:%Y-%m}"
            ri = rejected("restrictive_interventions", f"{sid}-ri") if (i + len(t)) % 7 == 0 \
                else loaded("restrictive_interventions", f"{sid}-ri", ri_frame([]))  # fmt: skip
            loads.append(PartitionLoad(t, m, [ri, loaded("ward_stays", f"{sid}-ws", ws_frame([]))]))
    url = f"duckdb:///{home / 'warehouse' / 'mhsip.duckdb'}"
    (home / "warehouse").mkdir(parents=True)
    last = MONTHS[-1]
    resubmitted = loaded("restrictive_interventions", "RJ8-last-ri-v2",
                         ri_frame([intervention("RJ8", last, "I1")]))  # fmt: skip
    with open_warehouse(url) as wh:
        wh.replace_partitions(loads)
        wh.refresh_marts(None)
        wh.replace_partition(PartitionLoad("RJ8", last, [resubmitted]))
        wh.refresh_marts([("RJ8", last)])
        wh.checkpoint_and_publish(
            home / "published" / "mhsip.duckdb", home / "operators" / "mhsip-operators-full.duckdb"
        )
    env = {k: v for k, v in os.environ.items() if not k.startswith("MHSIP_")}
    env |= {"MHSIP_HOME": str(home), "COLUMNS": "80"}
    for args, months in (([], MONTHS[12:]), (["--from", "2024-01"], MONTHS)):
        done = subprocess.run([sys.executable, "-m", "mhsip", "status", *args], env=env,
                              capture_output=True, text=True, timeout=120)  # fmt: skip
        assert done.returncode == 0, done.stderr
        lines = done.stdout.splitlines()
        assert max(map(len, lines)) <= 80
        starts = [line.split()[0] for line in lines if line.strip() and line[0] != " "]
        for trust in trusts:
            assert starts.count(trust) == -(-len(months) // 12)
        labels = [w for line in lines if line.startswith("trust ") for w in line.split()[1:]]
        assert labels == [f"{m:%y-%m}" for m in months]
        assert (
            f"  RJ8 {last:%Y-%m}: " in done.stdout and "interventions 0 -> 1" in done.stdout
        )  # a nil return is a real zero
