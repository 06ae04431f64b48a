"""Worker processes for a run's compute, so that it uses every core.

The compute (read, pseudonymise, map, derive, file and row rules, standardise, lake writes) is
many small pandas and pyarrow calls: in threads of one process the GIL lets it use one core.
A run with enough files therefore hands each wave's groups of trusts to a pool of worker
processes (`flows.waves`), one group per process, and loads the warehouse in its own process
meanwhile. Prefect still tracks one task per group and wave; the task's thread waits on its
worker.

Workers are spawned, not forked (the flow's process has Prefect's and DuckDB's threads, which a
fork would copy mid-flight), and each builds its Great Expectations context once, when it starts.
A worker that dies (the OOM killer) fails the waves it was computing; the run reports their
trust-months and the next run retries them.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from typing import TypeVar

T = TypeVar("T")

# Starting a worker costs its interpreter and imports (pandas, pyarrow, GX: ~2-3 s of CPU on
# this machine); a run smaller than this computes in the flow's process instead. At ~40 ms of
# compute a file, 200 files are ~8 s of work, where a second core starts to pay for itself.
MIN_FILES_FOR_PROCESSES = 200

RUN_PID_VARIABLE = "MHSIP_RUN_PID"  # the flow's process, for `mhsip.failpoints` in a worker


def processes_for(setting: int, files: int) -> int:
    """Worker processes for a run of `files` files: `setting` if set (1: none, compute in the
    flow's process); by default (0) one per core when the run is large enough to pay for them."""
    if setting:
        return setting
    if files < MIN_FILES_FOR_PROCESSES:
        return 1
    return max(1, os.cpu_count() or 1)


class ComputePool:
    """A lazily started pool of `processes` spawned workers."""

    def __init__(self, processes: int) -> None:
        self.processes = processes
        self._executor: ProcessPoolExecutor | None = None

    def run(self, fn: Callable[..., T], *args: object) -> T:
        """`fn(*args)` in a worker; its result (or exception) here."""
        if self._executor is None:
            self._executor = ProcessPoolExecutor(
                self.processes,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_start_worker,
                initargs=(os.getpid(),),
            )
        return self._executor.submit(fn, *args).result()

    def close(self) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=True)
            self._executor = None


@contextmanager
def compute_pool(processes: int) -> Iterator[ComputePool | None]:
    """A pool for the run's waves, or None to compute in this process (`processes` <= 1)."""
    if processes <= 1:
        yield None
        return
    pool = ComputePool(processes)
    try:
        yield pool
    finally:
        pool.close()


def _start_worker(run_pid: int) -> None:
    os.environ[RUN_PID_VARIABLE] = str(run_pid)
    threading.Thread(target=_exit_with_the_run, args=(run_pid,), daemon=True).start()
    from expectations.gx_runner import warm_up

    warm_up()


def _exit_with_the_run(run_pid: int) -> None:
    """A worker whose run was killed (SIGKILL, the OOM killer) would otherwise live on, idle,
    holding its memory: it exits within a second of its parent."""
    while os.getppid() == run_pid:
        time.sleep(1)
    os._exit(1)
