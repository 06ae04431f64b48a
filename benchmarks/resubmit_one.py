"""One trust-month resubmitted into a five-year warehouse: the load stage's cost for the case
every nightly with a corrected file pays.

    python benchmarks/resubmit_one.py --trusts 16 --months 60 --runs 5

Loads the whole landing zone's computed results (`benchmarks/load_stage.py`'s cache: generated
once, then reused) into a fresh warehouse of each engine, then resubmits one trust-month (the
middle month of the first trust, both datasets, as new file versions) `--runs` times and times
`write_lake` + `load_chunk` (the lake files and the warehouse transaction). On PostgreSQL it then
drops the fact tables' partition index (migration 0008) and times the same again, so the
with-index and without-index figures come from the same warehouse in the same run. Prints the
median, min and max seconds. Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from load_stage import PG_URL, fact_rows, flow_order, fresh_warehouse, results_for


def version(result: Any, n: int) -> list[Any]:
    """The partition as its n-th resubmission: same rows, new sha256 and submission id."""

    def again(outcome: Any) -> Any:
        sha = hashlib.sha256(f"resubmission {n} {outcome.file_sha256}".encode()).hexdigest()
        sid = f"{outcome.submission_id.rsplit('-', 1)[0]}-{sha[:12]}"
        return dataclasses.replace(outcome, file_sha256=sha, submission_id=sid)

    return [dataclasses.replace(result, outcomes=[again(o) for o in result.outcomes])]


def timed_resubmissions(wh: Any, result: Any, lake: str, runs: int, start: int) -> list[float]:
    from flows.load_stage import load_chunk, write_lake

    seconds = []
    for n in range(start, start + runs):
        chunk = version(result, n)
        began = time.perf_counter()
        write_lake(chunk, lake)
        load_chunk(chunk, wh)
        seconds.append(time.perf_counter() - began)
    return seconds


def line(label: str, seconds: list[float]) -> str:
    return (f"  {label:32} median {statistics.median(seconds):6.3f} s"
            f"  (min {min(seconds):.3f}, max {max(seconds):.3f}, {len(seconds)} runs)")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--trusts", type=int, default=16)
    parser.add_argument("--months", type=int, default=60)
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--chunk-months", type=int, default=12)
    parser.add_argument("--engines", default="postgres,duckdb")
    parser.add_argument("--pg-url", default=PG_URL)
    parser.add_argument("--cache", help="pickle of the computed results (default: temp folder)")
    parser.add_argument("--fresh", action="store_true", help="recompute even if cached")
    args = parser.parse_args()

    chains = results_for(args)
    first_trust = sorted(chains)[0]
    results = [r for chunk in chains[first_trust] for r in chunk]
    one = results[len(results) // 2]
    rows = sum(len(o.facts) for o in one.outcomes if o.facts is not None)
    print(f"warehouse: {args.trusts} trusts x {args.months} months, {fact_rows(chains):,} fact"
          f" rows; resubmitting {one.work.label} ({rows:,} rows)")  # fmt: skip
    for engine in args.engines.split(","):
        with fresh_warehouse(engine, args.pg_url) as (wh, lake):
            began = time.perf_counter()
            from flows.load_stage import load_chunk, write_lake

            for chunk in flow_order(chains):
                write_lake(chunk, lake)
                load_chunk(chunk, wh)
            print(f"{engine}: warehouse loaded in {time.perf_counter() - began:.1f} s")
            timed_resubmissions(wh, one, lake, 1, 0)  # warm: caches, plans
            print(
                line(
                    "resubmission, one trust-month",
                    timed_resubmissions(wh, one, lake, args.runs, 1),
                )
            )
            if engine == "postgres":
                from warehouse.schema import FACT_TABLES

                with wh._transaction() as session:
                    for table in FACT_TABLES.values():
                        for index in table.indexes:
                            session.execute(f"DROP INDEX {index.name}")
                        session.execute(f"ANALYZE {table.name}")
                timed_resubmissions(wh, one, lake, 1, 1000)
                print(line("same, partition index dropped",
                           timed_resubmissions(wh, one, lake, args.runs, 1001)))  # fmt: skip


if __name__ == "__main__":
    main()
