"""Benchmark: the full pipeline against a plain-reader floor on the same files.

    python benchmarks/run_benchmark.py --trusts 16 --months 60 --scale 1 --runs 3 \
        --nightly --load-stage

Generates N trusts x M months (clean data, so no file is rejected and both sides read the same
rows), then measures, each in a fresh subprocess so peak memory is that run's own:
  pipeline  `mhsip nightly` into a fresh MHSIP_HOME (Prefect start-up included)
  floor     the same files read by the fastest plain readers (DuckDB read_csv / read_parquet,
            python-calamine for XLSX) and written to Parquet and a DuckDB table, with no
            validation, standardisation or bookkeeping
and prints wall time, rows per second, peak RSS and the ratio pipeline / floor (medians of --runs).
With --nightly it then times, on the last run's warehouse, a nightly with nothing new and a
nightly that finds the next month for every trust; with --load-stage it runs
benchmarks/load_stage.py (PostgreSQL against DuckDB) for the same sizes. It ends with issue 7's
targets, the figure measured for each and whether it is met. Figures are printed, never
asserted.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
START = date(2021, 4, 1)


def generate(landing: Path, trusts: int, months: int, scale: float, seed: int) -> int:
    from mhsip.config_loader import load_registry
    from synthetic import generate as gen

    registry = load_registry(REPO / "config")
    codes = sorted(registry.trusts)[:trusts]
    shutil.rmtree(landing, ignore_errors=True)  # a reused --workdir may hold an added month
    manifest = gen(landing, registry, START, months, codes, scale=scale, seed=seed, faults=False)
    return sum(f.rows for f in manifest.files)


def add_next_month(landing: Path, work: Path, trusts: int, months: int, scale: float,
                   seed: int) -> tuple[int, int]:  # fmt: skip
    """Copy month `months + 1` of the same generation into the landing zone: what a nightly
    finds when every trust has sent its next month. Files and rows added."""
    from mhsip.config_loader import load_registry
    from synthetic import generate as gen

    registry = load_registry(REPO / "config")
    codes = sorted(registry.trusts)[:trusts]
    longer = Path(tempfile.mkdtemp(dir=work, prefix="next-month-"))
    manifest = gen(longer, registry, START, months + 1, codes, scale=scale, seed=seed, faults=False)
    last = max(f.month for f in manifest.files)
    new = [f for f in manifest.files if f.month == last]
    for record in new:
        target = landing / record.path
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(longer / record.path, target)
    return len(new), sum(f.rows for f in new)


def timed_child(args: list[str], env: dict[str, str]) -> tuple[float, float, str]:
    """Run a child in its own session; wall seconds, its own peak RSS (MiB; worker processes it
    starts, such as Dask's, are not counted), its stdout. Anything it leaves behind (Prefect's
    server) is killed after."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        start = time.perf_counter()
        proc = subprocess.Popen(args, env=env, stdout=out, stderr=err, start_new_session=True)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        out.seek(0)
        err.seek(0)
        if proc.returncode != 0:
            sys.exit(f"{args[:3]} failed ({proc.returncode}):\n{err.read()[-3000:]}")
        return wall, usage.ru_maxrss / 1024, out.read()


def pipeline_env(home: Path, landing: Path) -> dict[str, str]:
    return {
        **os.environ, "MHSIP_HOME": str(home), "MHSIP_LANDING": str(landing),
        "MHSIP_PSEUDONYMISATION_KEY": "benchmark-key", "PREFECT_HOME": str(home / "prefect"),
        "MHSIP_DEMO_MODE": "true",  # synthetic data: the marked demo archive key
    }  # fmt: skip


def run_pipeline(landing: Path, work: Path) -> tuple[float, float, Path]:
    """`mhsip nightly` into a fresh home: wall, peak MiB, and the home (for the nightly cases)."""
    home = Path(tempfile.mkdtemp(dir=work, prefix="home-"))
    wall, peak, _ = timed_child(
        [sys.executable, "-m", "mhsip", "nightly"], pipeline_env(home, landing)
    )
    return wall, peak, home


def run_floor(landing: Path, work: Path) -> tuple[float, float, int]:
    out = Path(tempfile.mkdtemp(dir=work, prefix="floor-"))
    wall, peak, stdout = timed_child(
        [sys.executable, str(Path(__file__).with_name("floor.py")), str(landing), str(out)],
        dict(os.environ),
    )
    return wall, peak, int(json.loads(stdout.strip().splitlines()[-1])["rows"])


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--trusts", type=int, default=16)
    parser.add_argument("--months", type=int, default=60)
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workdir", type=Path, default=None)
    parser.add_argument(
        "--load-stage", action="store_true",
        help="then run benchmarks/load_stage.py for the same sizes (needs PostgreSQL)",
    )  # fmt: skip
    parser.add_argument(
        "--nightly", action="store_true",
        help="then time two nightly runs on the last run's warehouse: nothing new, and the next "
        "month for every trust",
    )  # fmt: skip
    args = parser.parse_args()

    work = args.workdir or Path(tempfile.mkdtemp(prefix="mhsip-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    landing = work / "landing"
    t0 = time.perf_counter()
    rows = generate(landing, args.trusts, args.months, args.scale, args.seed)
    print(
        f"generated {rows:,} rows ({args.trusts} trusts x {args.months} months, "
        f"scale {args.scale}) in {time.perf_counter() - t0:.1f} s"
    )

    pipe, floor = [], []
    for i in range(args.runs):
        floor.append(run_floor(landing, work))
        wall, peak, home = run_pipeline(landing, work)
        pipe.append((wall, peak))
        print(f"run {i + 1}: floor {floor[-1][0]:.1f} s, pipeline {pipe[-1][0]:.1f} s")
    p_wall = statistics.median(p[0] for p in pipe)
    f_wall = statistics.median(f[0] for f in floor)
    p_mem = max(p[1] for p in pipe)
    f_mem = max(f[1] for f in floor)
    print()
    print(f"{'':10}{'wall s':>10}{'rows/s':>12}{'peak MiB':>10}")
    print(f"{'pipeline':10}{p_wall:>10.1f}{rows / p_wall:>12,.0f}{p_mem:>10.0f}")
    print(f"{'floor':10}{f_wall:>10.1f}{rows / f_wall:>12,.0f}{f_mem:>10.0f}")
    print(
        f"ratio pipeline/floor: {p_wall / f_wall:.1f}x  (medians of {args.runs} run(s); "
        f"floor read {floor[0][2]:,} rows)"
    )
    # issue 7's targets: (what, measured, target, met)
    targets = []
    if args.scale <= 1:
        targets.append(("full run, seconds", f"{p_wall:.1f}", "< 60", p_wall < 60))
        targets.append(
            ("full run / floor", f"{p_wall / f_wall:.1f}x", "<= 3x", p_wall <= 3 * f_wall)
        )
    else:
        targets.append(
            ("full run / floor", f"{p_wall / f_wall:.1f}x", "<= 4x", p_wall <= 4 * f_wall)
        )
        targets.append(("peak memory, MiB", f"{p_mem:.0f}", "< 2048", p_mem < 2048))
    if args.nightly:
        targets += nightly_cases(landing, work, home, args)
    if args.load_stage:
        targets.append(load_stage(args))
    print()
    print(f"{'target (issue 7)':34}{'measured':>12}{'target':>10}  met")
    for what, measured, target, met in targets:
        print(f"{what:34}{measured:>12}{target:>10}  {'yes' if met else 'NO'}")


def nightly_cases(
    landing: Path, work: Path, home: Path, args: argparse.Namespace
) -> list[tuple[str, str, str, bool]]:
    """The nightly targets, on the warehouse the last full run built."""
    command = [sys.executable, "-m", "mhsip", "nightly"]
    env = pipeline_env(home, landing)
    idle, idle_peak, _ = timed_child(command, env)
    files, rows = add_next_month(landing, work, args.trusts, args.months, args.scale, args.seed)
    new, new_peak, _ = timed_child(command, env)
    print()
    print(f"nightly, nothing new:          {idle:6.1f} s  {idle_peak:6.0f} MiB")
    print(f"nightly, next month ({files} files, {rows:,} rows): {new:6.1f} s  {new_peak:6.0f} MiB")
    return [
        ("nightly, nothing new, seconds", f"{idle:.1f}", "< 10", idle < 10),
        ("nightly, next month, seconds", f"{new:.1f}", "< 15", new < 15),
    ]


def load_stage(args: argparse.Namespace) -> tuple[str, str, str, bool]:
    """benchmarks/load_stage.py for the same sizes (it computes its own outcomes); its
    PostgreSQL / DuckDB ratio of the first load's total."""
    command = [
        sys.executable, str(Path(__file__).with_name("load_stage.py")), "--trusts",
        str(args.trusts), "--months", str(args.months), "--scale", str(args.scale), "--runs", "1",
    ]  # fmt: skip
    _, _, stdout = timed_child(command, dict(os.environ))
    print()
    print(stdout.strip())
    found = re.search(r"first load\s+total\s+([0-9.]+)x", stdout)
    ratio = float(found.group(1)) if found else float("nan")
    return ("PostgreSQL load / DuckDB load", f"{ratio:.2f}x", "<= 2x", ratio <= 2)


if __name__ == "__main__":
    main()
