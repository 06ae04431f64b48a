"""The benchmark's nightly, served and Dask cases (`benchmarks/run_benchmark.py` calls these).

Nightly cases, on the warehouse a full run built (each repetition of the next-month case starts
from a copy of the same home, so every one loads the same 32 files):
  nothing new   `mhsip nightly` with the landing zone unchanged;
  next month    `mhsip nightly` after month M+1 of the same generation lands for every trust.
Their floor is `benchmarks/floor.py` on the files the run has to load (none for nothing new:
then it is what starting Python and the plain readers costs).
Served: the same two with PREFECT_API_URL pointing at a `prefect server start` running for the
whole case (`serving.prefect_server.LocalPrefectServer`), as `mhsip serve` runs them.
Dask: two fresh full runs with MHSIP_TASK_RUNNER=dask and 1 then 2 workers; the compute stage is
the time the flow waits for the waves' computed chunks (the "waiting" of each wave's log line).
"""

from __future__ import annotations

import os
import re
import shutil
import statistics
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from unittest import mock

sys.path.insert(0, str(Path(__file__).resolve().parent))

from run_benchmark import add_next_month, pipeline_env, run_floor, timed_child

NIGHTLY = [sys.executable, "-m", "mhsip", "nightly"]


@dataclass
class Case:
    """One row of the targets table: the case's median seconds, its floor's, and the target."""

    name: str
    seconds: float
    floor: float | None
    target: str
    met: bool
    note: str = ""

    @property
    def ratio(self) -> str:
        return f"{self.seconds / self.floor:.1f}x" if self.floor else "-"


def _copy_home(home: Path, work: Path) -> Path:
    copy = Path(tempfile.mkdtemp(dir=work, prefix="home-copy-"))
    shutil.rmtree(copy)
    shutil.copytree(home, copy, symlinks=True)
    return copy


def nightly_pair(
    landing: Path, work: Path, home: Path, args: Any, extra: dict[str, str], label: str
) -> tuple[list[float], list[float], float, float]:
    """Seconds of each nothing-new and next-month run, and the two floors (medians)."""
    env = {**pipeline_env(home, landing), **extra}
    idle = [timed_child(NIGHTLY, env)[0] for _ in range(args.case_runs)]
    base = _copy_home(home, work)
    added = work / f"next-month-files-{label}"
    shutil.rmtree(added, ignore_errors=True)
    before = {p for p in landing.rglob("*") if p.is_file()}
    files, rows = add_next_month(landing, work, args.trusts, args.months, args.scale, args.seed)
    for path in {p for p in landing.rglob("*") if p.is_file()} - before:
        target = added / path.relative_to(landing)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, target)
    new = []
    for _ in range(args.case_runs):
        run_home = _copy_home(base, work)
        new.append(timed_child(NIGHTLY, {**pipeline_env(run_home, landing), **extra})[0])
        shutil.rmtree(run_home, ignore_errors=True)
    for path in added.rglob("*"):  # the landing zone as it was, for the next case
        if path.is_file():
            (landing / path.relative_to(added)).unlink()
    empty = work / "empty-landing"
    empty.mkdir(exist_ok=True)
    idle_floor = statistics.median(run_floor(empty, work)[0] for _ in range(args.case_runs))
    new_floor = statistics.median(run_floor(added, work)[0] for _ in range(args.case_runs))
    print(f"{label}: nothing new {_spread(idle)} (floor {idle_floor:.1f} s); next month "
          f"({files} files, {rows:,} rows) {_spread(new)} (floor {new_floor:.1f} s)")  # fmt: skip
    shutil.rmtree(base, ignore_errors=True)
    return idle, new, idle_floor, new_floor


def nightly_cases(landing: Path, work: Path, home: Path, args: Any) -> list[Case]:
    """The cron-like nightly: no PREFECT_API_URL, so a flow run starts the temporary server."""
    idle, new, idle_floor, new_floor = nightly_pair(landing, work, home, args, {}, "nightly")
    return [
        Case("nightly, nothing new (no server)", statistics.median(idle), idle_floor, "< 5 s",
             statistics.median(idle) < 5),
        Case("nightly, next month (no server)", statistics.median(new), new_floor, "< 10 s",
             statistics.median(new) < 10),
    ]  # fmt: skip


def served_cases(landing: Path, work: Path, home: Path, args: Any) -> list[Case]:
    """The same two against a running `prefect server start` (PREFECT_API_URL)."""
    from serving.prefect_server import LocalPrefectServer

    prefect_home = work / "served-prefect"
    with (
        mock.patch.dict(os.environ, {"PREFECT_HOME": str(prefect_home)}),
        LocalPrefectServer(work / "server.log") as srv,
    ):
        extra = {"PREFECT_API_URL": srv.api_url, "PREFECT_HOME": str(prefect_home)}
        idle, new, idle_floor, new_floor = nightly_pair(landing, work, home, args, extra, "served")
    return [
        Case("served nightly, nothing new", statistics.median(idle), idle_floor, "< 3 s",
             statistics.median(idle) < 3),
        Case("served nightly, next month", statistics.median(new), new_floor, "< 7 s",
             statistics.median(new) < 7),
    ]  # fmt: skip


def dask_case(landing: Path, work: Path, args: Any) -> Case:
    """Compute stage with a local Dask cluster of 1, then 2, worker processes."""
    compute: dict[int, list[float]] = {1: [], 2: []}
    for _ in range(args.case_runs):
        for workers in (1, 2):
            home = Path(tempfile.mkdtemp(dir=work, prefix=f"home-dask{workers}-"))
            env = {**pipeline_env(home, landing), "MHSIP_TASK_RUNNER": "dask",
                   "MHSIP_MAX_WORKERS": str(workers)}  # fmt: skip
            wall, _, _, _ = timed_child(NIGHTLY, env)
            log = (home / "logs" / "mhsip.log").read_text()
            waiting = sum(float(s) for s in re.findall(r"waiting ([0-9.]+) s", log))
            compute[workers].append(waiting)
            print(f"dask, {workers} worker(s): run {wall:.1f} s, compute stage {waiting:.1f} s")
            shutil.rmtree(home, ignore_errors=True)
    one, two = statistics.median(compute[1]), statistics.median(compute[2])
    return Case("Dask compute, 1 -> 2 workers", two, one, ">= 1.6x faster", one >= 1.6 * two,
                note=f"speed-up {one / two:.2f}x (floor column: 1 worker)")  # fmt: skip


def _spread(values: list[float]) -> str:
    return f"{statistics.median(values):.1f} s [{', '.join(f'{v:.1f}' for v in values)}]"
