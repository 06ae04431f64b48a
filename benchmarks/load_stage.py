"""The pipeline's load stage on DuckDB and on PostgreSQL, for a whole generated landing zone.

    python benchmarks/load_stage.py --trusts 16 --months 60 --scale 1 --runs 3
    python benchmarks/load_stage.py --trusts 4 --months 12 --profile postgres

Generates N trusts x M months of clean data (`synthetic.generate`) and runs the compute half once
(`flows.pipeline.process_chunk` over `chunk_by_trust(group_partitions(files), --chunk-months)`,
each trust's chunks in month order with its `TrustHistory`, as `benchmarks/profile_stages.py`
does). The `PartitionResult`s are pickled to `--cache` (default: a file in the temporary folder
named after the sizes), so later runs with the same sizes skip generation and compute; `--fresh`
recomputes. Then, per run and per engine, into a fresh warehouse (a DuckDB file in a temporary
folder; a throw-away PostgreSQL database `mhsip_bench_<random>`, dropped afterwards, as
`benchmarks/load_engines.py` does), and a fresh Parquet lake:
  first load    `flows.load_stage.load_chunk` per chunk, in the flow's order (first chunk of every
                trust, then the second, ...; each trust's months in order), split into lake
                writes and the warehouse transaction (`Warehouse.replace_partitions`);
  marts         `refresh_dimensions` + `refresh_marts(touched)` after the loads (the flow's
                marts task; not part of the load stage);
  resubmission  every partition replaced again by new versions of the same rows (new
                submission ids, so old versions become 'superseded'): the delete-heavy case;
                then marts again.
Warehouse opening (migrations) is not timed. On a shared machine wall times are noisy; the
CPU seconds of this process (DuckDB's work included, the PostgreSQL server's not) are steadier.
Prints figures (per run, then min-max and median
over runs) and the PostgreSQL / DuckDB ratio of the load stage; asserts nothing.
`--profile duckdb|postgres` runs one pass of that engine under pyinstrument instead.
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import pickle
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))  # run from a checkout: `python benchmarks/load_stage.py`

PG_URL = "postgresql://postgres@127.0.0.1:5432/test"
Chains = dict[str, list[list[Any]]]  # trust -> chunks -> PartitionResult


def compute(trusts: int, months: int, scale: float, chunk_months: int) -> Chains:
    """Generate clean data and run the compute half once; each trust's chunks of results."""
    from expectations.gx_runner import _validation_definition
    from expectations.trust_history import TrustHistory
    from flows.pipeline import process_chunk
    from flows.plan import chunk_by_trust, group_partitions
    from flows.runs import load_imd
    from flows.work import ComputeContext
    from landing.archive_keys import Keyring, demo_key
    from landing.scan import scan_landing
    from mhsip.config_loader import load_registry
    from synthetic import generate

    with tempfile.TemporaryDirectory(prefix="mhsip-load-stage-") as folder:
        work = Path(folder)
        registry = load_registry(REPO / "config")
        codes = sorted(registry.trusts)[:trusts]
        began = time.perf_counter()
        generate(
            work / "landing", registry, date(2021, 4, 1), months, codes, scale=scale, faults=False
        )
        print(f"generated {trusts} x {months} at scale {scale:g} in "
              f"{time.perf_counter() - began:.0f} s")  # fmt: skip
        files, _ = scan_landing(str(work / "landing"), registry)
        imd_path = work / "landing" / "_reference" / "imd_lsoa.csv"
        ctx = ComputeContext(
            registry=registry, key=b"benchmark-key", archive_url=str(work / "archive"),
            imd=load_imd(imd_path if imd_path.exists() else None),
            archive_keys=Keyring(demo_key()),  # synthetic data: the marked demo archive key
        )  # fmt: skip
        _validation_definition("restrictive_interventions")
        began = time.perf_counter()
        chains: Chains = {}
        for trust, chunks in chunk_by_trust(group_partitions(files), chunk_months).items():
            history = TrustHistory(trust)
            for chunk in chunks:
                results, history = process_chunk(chunk, ctx, history)
                chains.setdefault(trust, []).append(results)
        print(f"computed {len(files)} files in {time.perf_counter() - began:.0f} s")
    return chains


def results_for(args: argparse.Namespace) -> Chains:
    cache = Path(
        args.cache
        or Path(tempfile.gettempdir())
        / f"mhsip-load-stage-{args.trusts}x{args.months}-s{args.scale:g}-c{args.chunk_months}.pkl"
    )
    if cache.exists() and not args.fresh:
        with cache.open("rb") as handle:
            chains: Chains = pickle.load(handle)  # our own file
        print(f"results from {cache} (--fresh recomputes)")
        return chains
    chains = compute(args.trusts, args.months, args.scale, args.chunk_months)
    with cache.open("wb") as handle:
        pickle.dump(chains, handle, protocol=pickle.HIGHEST_PROTOCOL)
    print(f"results cached in {cache}")
    return chains


def resubmitted(chains: Chains) -> Chains:
    """The same rows as new file versions: new sha256 and submission id per outcome."""

    def again(outcome: Any) -> Any:
        sha = hashlib.sha256(f"resubmitted {outcome.file_sha256}".encode()).hexdigest()
        sid = f"{outcome.submission_id.rsplit('-', 1)[0]}-{sha[:12]}"
        return dataclasses.replace(outcome, file_sha256=sha, submission_id=sid)

    return {
        trust: [
            [dataclasses.replace(r, outcomes=[again(o) for o in r.outcomes]) for r in chunk]
            for chunk in chunks
        ]
        for trust, chunks in chains.items()
    }


def flow_order(chains: Chains) -> list[list[Any]]:
    """Chunks in the flow's order: wave i is the i-th chunk of every trust."""
    waves = max(len(chunks) for chunks in chains.values())
    return [chunks[i] for i in range(waves) for chunks in chains.values() if i < len(chunks)]


def fact_rows(chains: Chains) -> int:
    return sum(
        len(o.facts)
        for chunks in chains.values()
        for chunk in chunks
        for r in chunk
        for o in r.outcomes
        if o.status == "loaded" and o.facts is not None
    )


@contextmanager
def pg_database(pg_url: str) -> Iterator[str]:
    import psycopg
    from sqlalchemy.engine import make_url

    name = f"mhsip_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(pg_url, autocommit=True) as admin:
        admin.execute(f"CREATE DATABASE {name}")
    try:
        yield make_url(pg_url).set(database=name).render_as_string(False)
    finally:
        with psycopg.connect(pg_url, autocommit=True) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@contextmanager
def warehouse_url(engine: str, folder: Path, pg_url: str) -> Iterator[str]:
    if engine == "duckdb":
        yield str(folder / "warehouse.duckdb")
    else:
        with pg_database(pg_url) as url:
            yield url


@contextmanager
def fresh_warehouse(engine: str, pg_url: str) -> Iterator[tuple[Any, str]]:
    """An empty warehouse of the engine (migrated) and an empty lake folder beside it."""
    from warehouse.engine import open_warehouse

    with (
        tempfile.TemporaryDirectory(prefix="mhsip-load-stage-") as folder,
        warehouse_url(engine, Path(folder), pg_url) as url,
        open_warehouse(url) as wh,
    ):
        yield wh, str(Path(folder) / "lake")


def load_pass(wh: Any, chunks: list[list[Any]], lake: str) -> tuple[float, float, float]:
    """write_lake then load_chunk per chunk, as the flow does (the flow writes the lake on the
    worker that finished the chunk; here both run in this process, one after the other);
    (total seconds, warehouse-transaction seconds, CPU seconds of this process: DuckDB's own
    work, but not the PostgreSQL server's)."""
    from flows.load_stage import load_chunk, write_lake

    inner: Callable[[list[Any]], None] = wh.replace_partitions
    spent = [0.0]

    def replace_partitions(loads: list[Any]) -> None:
        started = time.perf_counter()
        inner(loads)
        spent[0] += time.perf_counter() - started

    wh.replace_partitions = replace_partitions  # time the transaction inside load_chunk
    try:
        began, cpu = time.perf_counter(), time.process_time()
        for chunk in chunks:
            write_lake(chunk, lake)
            load_chunk(chunk, wh)
        total, cpu = time.perf_counter() - began, time.process_time() - cpu
    finally:
        del wh.replace_partitions
    return total, spent[0], cpu


def refresh(wh: Any, touched: list[tuple[str, date]]) -> float:
    from mhsip.config_loader import load_registry

    registry = load_registry(REPO / "config")
    began = time.perf_counter()
    wh.refresh_dimensions(registry)
    wh.refresh_marts(touched)
    return time.perf_counter() - began


def one_run(engine: str, first: Chains, second: Chains, pg_url: str) -> dict[str, float]:
    touched = sorted(
        (r.work.trust_code, r.work.reporting_month)
        for chunks in first.values()
        for chunk in chunks
        for r in chunk
    )
    out: dict[str, float] = {}
    with fresh_warehouse(engine, pg_url) as (wh, lake):
        for label, chains in (("first", first), ("resub", second)):
            total, txn, cpu = load_pass(wh, flow_order(chains), lake)
            out[f"{label}_total"], out[f"{label}_txn"], out[f"{label}_cpu"] = total, txn, cpu
            out[f"{label}_lake"] = total - txn
            out[f"{label}_marts"] = refresh(wh, touched)
        counts = wh.table_counts()
        out["rows_in_facts"] = (
            counts["fct_restrictive_intervention"] + counts["fct_ward_stay_month"]
        )
    return out


def profile(engine: str, first: Chains, pg_url: str) -> None:
    from pyinstrument import Profiler

    second = resubmitted(first)
    with fresh_warehouse(engine, pg_url) as (wh, lake):
        for label, chains in (("first load", first), ("resubmission", second)):
            profiler = Profiler(interval=0.001)
            with profiler:
                total, txn, _ = load_pass(wh, flow_order(chains), lake)
            print(f"--- {engine} {label}: {total:.2f} s ({txn:.2f} s in transactions)")
            print(profiler.output_text(unicode=False, color=False, show_all=False)[:8000])


def spread(values: list[float]) -> str:
    if len(values) == 1:
        return f"{values[0]:7.2f}"
    return f"{min(values):7.2f} - {max(values):6.2f} (median {statistics.median(values):.2f})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--trusts", type=int, default=16)
    parser.add_argument("--months", type=int, default=60)
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--chunk-months", type=int, default=12, help="MHSIP_CHUNK_MONTHS")
    parser.add_argument("--engines", default="duckdb,postgres")
    parser.add_argument("--pg-url", default=PG_URL)
    parser.add_argument("--cache", help="pickle of the computed results (default: temp folder)")
    parser.add_argument("--fresh", action="store_true", help="recompute even if cached")
    parser.add_argument("--profile", choices=["duckdb", "postgres"])
    args = parser.parse_args()

    first = results_for(args)
    rows = fact_rows(first)
    partitions = sum(len(chunk) for chunks in first.values() for chunk in chunks)
    chunks = sum(len(chunks) for chunks in first.values())
    print(f"{args.trusts} trusts x {args.months} months at scale {args.scale:g}: {partitions}"
          f" trust-months in {chunks} chunks, {rows:,} fact rows")  # fmt: skip
    if args.profile:
        profile(args.profile, first, args.pg_url)
        return
    second = resubmitted(first)
    engines = args.engines.split(",")
    figures: dict[str, list[dict[str, float]]] = {e: [] for e in engines}
    for run in range(args.runs):
        for engine in engines:
            f = one_run(engine, first, second, args.pg_url)
            figures[engine].append(f)
            print(
                f"run {run + 1} {engine:8}  first {f['first_total']:6.2f} s (lake"
                f" {f['first_lake']:5.2f}, txn {f['first_txn']:6.2f}, cpu {f['first_cpu']:5.2f}),"
                f" marts {f['first_marts']:5.2f} | resub {f['resub_total']:6.2f} s (lake"
                f" {f['resub_lake']:5.2f}, txn {f['resub_txn']:6.2f}, cpu {f['resub_cpu']:5.2f}),"
                f" marts"
                f" {f['resub_marts']:5.2f} | {int(f['rows_in_facts']):,} fact rows after",
                flush=True,
            )
    print(f"\nload stage, {args.runs} run(s), seconds (min - max, median):")
    for engine in engines:
        runs = figures[engine]
        for label, name in (("first", "first load"), ("resub", "resubmission")):
            totals = [f[f"{label}_total"] for f in runs]
            print(f"  {engine:8} {name:12}  total {spread(totals)}")
            print(f"  {'':8} {'':12}  lake  {spread([f[f'{label}_lake'] for f in runs])}")
            print(f"  {'':8} {'':12}  txn   {spread([f[f'{label}_txn'] for f in runs])}")
            print(f"  {'':8} {'':12}  cpu   {spread([f[f'{label}_cpu'] for f in runs])}"
                  "  (this process)")  # fmt: skip
            rates = [rows / t for t in totals]
            print(f"  {'':8} {'':12}  rows/s {min(rates):,.0f} - {max(rates):,.0f}")
            print(f"  {'':8} {'':12}  marts refresh after: "
                  f"{spread([f[f'{label}_marts'] for f in runs])}")  # fmt: skip
    if {"duckdb", "postgres"} <= set(engines):
        print("\nPostgreSQL / DuckDB, load stage (median of runs):")
        for label, name in (("first", "first load"), ("resub", "resubmission")):
            for part in ("total", "txn"):
                pg = statistics.median(f[f"{label}_{part}"] for f in figures["postgres"])
                duck = statistics.median(f[f"{label}_{part}"] for f in figures["duckdb"])
                print(f"  {name:12} {part:5}  {pg / duck:5.2f}x  ({pg:.2f} s / {duck:.2f} s)")


if __name__ == "__main__":
    main()
