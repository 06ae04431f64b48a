"""Benchmark: the pipeline against plain-reader floors, every case of issue 13's targets.

    python benchmarks/run_benchmark.py --trusts 16 --months 60 --runs 3 \
        --nightly --served --load-stage --dask          # scale 1, every row but the scale ones
    python benchmarks/run_benchmark.py --scale 10 --runs 1   # scale 10 (about 4 million rows)
    python benchmarks/run_benchmark.py --scale 50 --runs 1   # national scale (benchmark only)

Generates N trusts x M months (clean data, so no file is rejected and both sides read the same
rows), then measures, each in a fresh subprocess so peak memory is that run's own:
  pipeline  `mhsip nightly` into a fresh MHSIP_HOME (default settings, Prefect start-up included)
  floor     the same files read by the fastest plain readers (DuckDB read_csv / read_parquet,
            python-calamine for XLSX) and written to Parquet and a DuckDB table, with no
            validation, standardisation or bookkeeping
and prints wall time, rows per second, peak RSS (the largest process, and all the run's processes
together) and the ratio pipeline / floor (medians of --runs).
Then, on the last run's warehouse (`benchmarks/nightly_cases.py`): --nightly, a nightly with
nothing new and one that finds the next month for every trust, as cron runs them (no
PREFECT_API_URL); --served, the same two against a running `prefect server start`;
--load-stage, `benchmarks/resubmit_one.py` (one trust-month resubmitted into the whole
warehouse, PostgreSQL against DuckDB); --dask, the compute stage with 1 and 2 Dask workers.
It ends with one row per target: the median, its floor, the ratio, the target and whether it is
met, and the load average (the machine may be shared). Figures are printed, never asserted.
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
import threading
import time
from datetime import date
from pathlib import Path
from typing import Any

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


def timed_child(args: list[str], env: dict[str, str]) -> tuple[float, float, str, float]:
    """Run a child in its own session: wall seconds; its peak RSS in MiB (Linux's wait4: the
    largest of the child and every descendant it waited for, such as its worker processes: a
    maximum, not a sum); its stdout; and the largest sum of the session's resident sets, sampled
    every 0.2 s (the flow's process, its workers and Prefect's temporary server together).
    Anything it leaves behind (Prefect's server) is killed after."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        start = time.perf_counter()
        proc = subprocess.Popen(args, env=env, stdout=out, stderr=err, start_new_session=True)
        done = threading.Event()
        total = [0.0]
        sampler = threading.Thread(target=_sample_session, args=(proc.pid, done, total))
        sampler.start()
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        done.set()
        sampler.join()
        proc.returncode = os.waitstatus_to_exitcode(status)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        out.seek(0)
        err.seek(0)
        if proc.returncode != 0:
            sys.exit(f"{args[:3]} failed ({proc.returncode}):\n{err.read()[-3000:]}")
        return wall, usage.ru_maxrss / 1024, out.read(), total[0]


def _sample_session(session: int, done: threading.Event, peak: list[float]) -> None:
    """Keep in `peak[0]` the largest sum (MiB) of the resident sets of session `session`."""
    page = os.sysconf("SC_PAGE_SIZE")
    while not done.wait(0.2):
        used = 0
        for stat in Path("/proc").glob("[0-9]*/stat"):
            with contextlib.suppress(OSError, ValueError, IndexError):
                fields = stat.read_text().rsplit(")", 1)[1].split()
                if int(fields[3]) == session:  # field 6 of stat: the session id
                    used += int(fields[21]) * page  # field 24: resident pages
        peak[0] = max(peak[0], used / 1024**2)


def pipeline_env(home: Path, landing: Path) -> dict[str, str]:
    return {
        **os.environ, "MHSIP_HOME": str(home), "MHSIP_LANDING": str(landing),
        "MHSIP_PSEUDONYMISATION_KEY": "benchmark-key", "PREFECT_HOME": str(home / "prefect"),
        "MHSIP_DEMO_MODE": "true",  # synthetic data: the marked demo archive key
    }  # fmt: skip


def run_pipeline(landing: Path, work: Path) -> tuple[float, float, float, Path]:
    """`mhsip nightly` into a fresh home: wall, peak MiB (largest process), peak MiB (all its
    processes together), and the home (for the nightly cases)."""
    home = Path(tempfile.mkdtemp(dir=work, prefix="home-"))
    wall, peak, _, together = timed_child(
        [sys.executable, "-m", "mhsip", "nightly"], pipeline_env(home, landing)
    )
    return wall, peak, together, home


def run_floor(landing: Path, work: Path) -> tuple[float, float, int]:
    out = Path(tempfile.mkdtemp(dir=work, prefix="floor-"))
    wall, peak, stdout, _ = timed_child(
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
    parser.add_argument(
        "--served", action="store_true",
        help="then the same two against a running `prefect server start` (PREFECT_API_URL)",
    )  # fmt: skip
    parser.add_argument(
        "--dask", action="store_true",
        help="then the compute stage on a local Dask cluster with 1 and with 2 workers",
    )  # fmt: skip
    parser.add_argument("--load-cache", type=Path, help="resubmit_one.py's --cache")
    parser.add_argument(
        "--case-runs", type=int, default=3,
        help="repetitions of each nightly, served and Dask case (medians; default 3)",
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
        wall, peak, together, home = run_pipeline(landing, work)
        pipe.append((wall, peak, together))
        print(f"run {i + 1}: floor {floor[-1][0]:.1f} s, pipeline {pipe[-1][0]:.1f} s,"
              f" peak {peak:.0f} MiB (all its processes: {together:.0f} MiB)",
              flush=True)  # fmt: skip
    p_wall = statistics.median(p[0] for p in pipe)
    f_wall = statistics.median(f[0] for f in floor)
    p_mem = max(p[1] for p in pipe)
    p_all = max(p[2] for p in pipe)
    f_mem = max(f[1] for f in floor)
    print()
    print(f"{'':10}{'wall s':>10}{'rows/s':>12}{'peak MiB':>10}")
    print(f"{'pipeline':10}{p_wall:>10.1f}{rows / p_wall:>12,.0f}{p_mem:>10.0f}")
    print(f"{'floor':10}{f_wall:>10.1f}{rows / f_wall:>12,.0f}{f_mem:>10.0f}")
    print(
        f"ratio pipeline/floor: {p_wall / f_wall:.1f}x  (medians of {args.runs} run(s); "
        f"floor read {floor[0][2]:,} rows)", flush=True,
    )  # fmt: skip
    print(f"peak MiB: the largest process (wait4); all the run's processes together (the flow's,"
          f" its workers', Prefect's server), sampled: {p_all:.0f} MiB")  # fmt: skip
    from nightly_cases import Case, dask_case, nightly_cases, served_cases

    size = f"{args.trusts} x {args.months}, scale {args.scale:g}"
    if args.scale <= 1:
        cases = [Case(f"{size}, default settings", p_wall, f_wall, "<= 2.5x and < 50 s",
                      p_wall <= 2.5 * f_wall and p_wall < 50)]  # fmt: skip
    else:
        limit, gib = (1.5, "1.5 GB") if args.scale <= 10 else (2.0, "2 GB")
        cases = [
            Case(f"{size}", p_wall, f_wall, "<= 2x", p_wall <= 2 * f_wall),
            Case(f"{size}, peak MiB, all processes", p_all, f_mem, f"< {gib}",
                 p_all < limit * 1000**3 / 1024**2, note=f"largest process {p_mem:.0f} MiB"),
        ]  # fmt: skip
    if args.nightly:
        cases += nightly_cases(landing, work, home, args)
    if args.served:
        cases += served_cases(landing, work, home, args)
    if args.load_stage:
        cases.append(load_stage(args))
    if args.dask:
        cases.append(dask_case(landing, work, args))
    uptime = Path("/proc/loadavg").read_text().split()[:3]
    print()
    print(f"targets (issue 13), medians of {args.runs} run(s); load average now {' '.join(uptime)}")
    print(f"{'case':42}{'seconds':>9}{'floor':>8}{'ratio':>7}  {'target':20} met")
    for c in cases:
        floor_text = f"{c.floor:.1f}" if c.floor is not None else "-"
        print(f"{c.name:42}{c.seconds:>9.2f}{floor_text:>8}{c.ratio:>7}  {c.target:20}"
              f" {'yes' if c.met else 'NO'}{'  ' + c.note if c.note else ''}")  # fmt: skip


def load_stage(args: argparse.Namespace) -> Any:
    """benchmarks/resubmit_one.py for the same sizes: one trust-month resubmitted into the
    warehouse of every month, on PostgreSQL (the case) and DuckDB (its floor column)."""
    from nightly_cases import Case

    command = [
        sys.executable, str(Path(__file__).with_name("resubmit_one.py")), "--trusts",
        str(args.trusts), "--months", str(args.months), "--scale", str(args.scale), "--runs",
        str(max(3, args.runs)), *(["--cache", str(args.load_cache)] if args.load_cache else []),
    ]  # fmt: skip
    _, _, stdout, _ = timed_child(command, dict(os.environ))
    print()
    print(stdout.strip())
    pattern = r"(\w+): warehouse loaded.*?\n\s+resubmission, one trust-month\s+median\s+([0-9.]+)"
    found = re.findall(pattern, stdout)
    seconds = {engine: float(value) for engine, value in found}
    pg = seconds.get("postgres", float("nan"))
    return Case("resubmission, one trust-month, PostgreSQL", pg, seconds.get("duckdb"), "< 1 s",
                pg < 1, note="floor column: the same on DuckDB")  # fmt: skip


if __name__ == "__main__":
    main()
