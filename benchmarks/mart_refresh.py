"""The mart refresh alone, on a copy of a warehouse a run built: seconds, and the marts it gives.

    python benchmarks/mart_refresh.py <MHSIP_HOME>/warehouse/mhsip.duckdb --runs 3
    python benchmarks/mart_refresh.py <warehouse> --dump before/     # on one commit
    python benchmarks/mart_refresh.py <warehouse> --dump after/ --compare before/
    python benchmarks/mart_refresh.py <warehouse> --processes 2   # passes built in 2 workers

Each run copies the warehouse, then refreshes the marts for every trust-month it holds, as a
backfill's last stage does (`flows.tasks.marts_task`: the dimensions, then the marts of the
touched trust-months), with each pass's marts built in `--processes` worker processes
(`flows.compute_pool`, as a run with workers builds them) or in this process. `--dump` writes
every mart and quality table, sorted, to Parquet; `--compare` checks them against an earlier
dump, so a change to the refresh can be shown to give the same rows. Figures are printed, never
asserted.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

TABLES = (
    "mart_trust_month", "mart_equity_month", "mart_ward_month", "mart_spc", "mart_funnel",
    "mart_data_quality", "mart_data_quality_score", "etl_resubmission_change",
)  # fmt: skip


def _pid_after_a_pause(seconds: float) -> int:
    """A worker's pid, after holding it long enough for the others to take the next calls."""
    time.sleep(seconds)
    return os.getpid()


def refresh_copy(source: Path, work: Path, processes: int = 1) -> tuple[float, Path]:
    """Seconds to refresh every trust-month's marts on a copy of `source`, and the copy."""
    from flows.compute_pool import compute_pool
    from mhsip.config_loader import load_registry
    from warehouse.engine import open_warehouse

    copy = work / "warehouse.duckdb"
    copy.unlink(missing_ok=True)
    shutil.copyfile(source, copy)
    registry = load_registry(REPO / "config")
    with open_warehouse(str(copy)) as warehouse, compute_pool(processes) as pool:
        if pool is not None:  # every worker started before the clock, as a run's are by its marts
            started: set[int] = set()
            while len(started) < processes:
                started.update(pool.imap(_pid_after_a_pause, [0.2] * processes))
        touched = warehouse.query(
            "SELECT DISTINCT trust_code, reporting_month FROM etl_submission"
            " WHERE status = 'loaded' ORDER BY 1, 2"
        )
        partitions = list(touched.itertuples(index=False, name=None))
        start = time.perf_counter()
        warehouse.refresh_dimensions(registry)
        warehouse.refresh_marts(partitions, pool.imap if pool is not None else map)
        seconds = time.perf_counter() - start
    print(f"refreshed {len(partitions)} trust-months in {seconds:.2f} s", flush=True)
    return seconds, copy


def dump(warehouse: Path, target: Path) -> None:
    import duckdb

    target.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(warehouse), read_only=True)
    for name in TABLES:
        columns = [r[0] for r in con.execute(f"DESCRIBE {name}").fetchall()]
        keep = [c for c in columns if c != "changed_at"]  # when, not what
        order = ", ".join(f'"{c}"' for c in keep)
        con.execute(f"COPY (SELECT {order} FROM {name} ORDER BY ALL) TO '{target / name}.parquet'")
    con.close()


def compare(left: Path, right: Path) -> bool:
    import pandas as pd

    same = True
    for name in TABLES:
        a = pd.read_parquet(left / f"{name}.parquet")
        b = pd.read_parquet(right / f"{name}.parquet")
        try:
            pd.testing.assert_frame_equal(a, b, obj=name)
            print(f"  {name}: {len(a):,} rows, the same")
        except AssertionError as exc:
            same = False
            print(f"  {name}: DIFFERENT\n{exc}")
    return same


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("warehouse", type=Path, help="a DuckDB warehouse file a run built")
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--processes", type=int, default=1, help="worker processes (1: none)")
    parser.add_argument("--dump", type=Path, help="write the refreshed marts here (Parquet)")
    parser.add_argument("--compare", type=Path, help="an earlier --dump to compare with")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="mhsip-marts-") as work:
        times = []
        for _ in range(args.runs):
            seconds, copy = refresh_copy(args.warehouse, Path(work), args.processes)
            times.append(seconds)
        print(f"mart refresh: median {statistics.median(times):.2f} s "
              f"[{', '.join(f'{t:.2f}' for t in times)}]")  # fmt: skip
        if args.dump:
            dump(copy, args.dump)
    if args.dump and args.compare:
        sys.exit(0 if compare(args.compare, args.dump) else 1)


if __name__ == "__main__":
    main()
