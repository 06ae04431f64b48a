"""A second writer process waits for the lock, then gives up with WarehouseBusy."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from warehouse.engine import open_warehouse
from warehouse.store import WarehouseBusy

HOLDER = """
import sys, time
from warehouse.engine import open_warehouse
wh = open_warehouse(sys.argv[1])
print("ready", flush=True)
time.sleep(30)
"""


@pytest.mark.slow  # a second process waits for the lock
def test_second_process_times_out_with_warehouse_busy(tmp_path: Path) -> None:
    path = tmp_path / "w.duckdb"
    root = Path(__file__).resolve().parents[2]
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(path)], cwd=root,
                              stdout=subprocess.PIPE, text=True)  # fmt: skip
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "ready"
        started = time.monotonic()
        with pytest.raises(WarehouseBusy) as caught:
            open_warehouse(str(path), lock_timeout_seconds=0.5)
        waited = time.monotonic() - started
    finally:
        holder.kill()
        holder.wait()
    assert 0.5 <= waited < 5
    message = str(caught.value)
    assert str(path) in message and "MHSIP_LOCK_TIMEOUT_SECONDS" in message
    assert "\n" not in message
    # Once the holder is gone the lock is free again.
    open_warehouse(str(path), lock_timeout_seconds=5).close()
