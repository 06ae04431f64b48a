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

A worker takes several seconds to start (its interpreter, pandas, pyarrow, GX's import and
context). The nightly knows from its survey (`flows.quiet_nightly`) how many files it will
process before it starts Prefect's temporary server, so it starts the pool then
(`start_early`): the workers start while the server does, and the run's `compute_pool` takes
that pool instead of starting its own.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager
from typing import TypeVar

T = TypeVar("T")
A = TypeVar("A")

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
        return self._started().submit(fn, *args).result()

    def imap(self, fn: Callable[[A], T], items: Iterable[A]) -> Iterator[T]:
        """`fn(item)` for each item in the workers, results in order; `items` is drawn here, at
        most one item a worker ahead of the results taken (memory: a few items, not all)."""
        executor = self._started()
        pending: deque[Future[T]] = deque()
        for item in items:
            pending.append(executor.submit(fn, item))
            if len(pending) > self.processes:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()

    def spawn(self) -> None:
        """Start every worker now, without waiting for them (each spawns on its first call)."""
        executor = self._started()
        for _ in range(self.processes):
            executor.submit(os.getpid)

    def _started(self) -> ProcessPoolExecutor:
        if self._executor is None:
            self._executor = ProcessPoolExecutor(
                self.processes,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_start_worker,
                initargs=(os.getpid(),),
            )
        return self._executor

    def close(self) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=True)
            self._executor = None


_early: list[ComputePool] = []  # at most one: the pool `start_early` started


def start_early(processes: int) -> None:
    """Start a pool of `processes` workers now, for the run about to start (none for <= 1)."""
    discard_early()
    if processes > 1:
        pool = ComputePool(processes)
        pool.spawn()
        _early.append(pool)


def discard_early() -> None:
    """Stop the early pool if no run took it (the run failed before its waves)."""
    while _early:
        _early.pop().close()


@contextmanager
def compute_pool(processes: int) -> Iterator[ComputePool | None]:
    """A pool for the run's waves, or None to compute in this process (`processes` <= 1); the
    early pool when it has as many workers."""
    early = _early.pop() if _early else None
    if early is not None and early.processes != processes:
        early.close()
        early = None
    if processes <= 1:
        yield None
        return
    pool = early or ComputePool(processes)
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
