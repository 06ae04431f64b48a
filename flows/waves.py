"""The wave scheduler: every trust's chunks, computed in waves and loaded here as they come
back.

Wave k holds each trust's k-th chunk. The trusts are split into groups of about equal bytes
(`flows.plan.group_trusts`), one per worker process (`flows.compute_pool`), or per Dask worker;
each group's part of a wave is one task (`flows.tasks.wave_task`): check, validate (one GX run
per dataset for the group's trusts), standardise and write the lake. So Prefect tracks a few
tasks a wave, not one per trust and step, and the GIL does not serialise the compute.
This process, which holds the warehouse, loads each chunk of a finished group in one
transaction. The next wave is submitted before this one is collected, so its compute overlaps
these loads; at most two waves are in flight, which bounds memory.

A chunk that fails (compute, or a load whose transaction rolled back) is reported; its trust's
later months are reported as not processed (their history would be wrong) and the next run
retries them. Other trusts go on.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

from prefect import get_run_logger
from prefect.futures import PrefectFuture, as_completed

from expectations.trust_history import TrustHistory
from flows.compute_pool import ComputePool
from flows.load_stage import load_chunk
from flows.outcomes import FileSummary
from flows.pipeline import ChunkOutcome
from flows.plan import group_trusts
from flows.tasks import ChunkFailedError, wave_task
from flows.work import ChunkWork, ComputeContext, PartitionWork
from warehouse.reads import trust_history
from warehouse.store import Warehouse

T = TypeVar("T")
DoneCallback = Callable[[PartitionWork, list[FileSummary] | None, BaseException | None], None]
Computing = dict[PrefectFuture, list[ChunkWork]]


def waves_of(chains: dict[str, list[ChunkWork]]) -> list[list[ChunkWork]]:
    """Wave k holds each trust's k-th chunk."""
    longest = max((len(chunks) for chunks in chains.values()), default=0)
    return [[chunks[k] for chunks in chains.values() if k < len(chunks)] for k in range(longest)]


def run_waves(
    chains: dict[str, list[ChunkWork]],
    ctx: ComputeContext,
    warehouse: Warehouse,
    lake_url: str,
    on_done: DoneCallback,
    groups: int = 1,
    pool: ComputePool | None = None,
) -> list[FileSummary]:
    """Process every trust's chunks in waves, `groups` tasks a wave (in `pool`'s worker
    processes, or in the task runner's threads or workers); each file's summary, in the order
    loaded."""
    return _Waves(chains, ctx, warehouse, lake_url, on_done, groups, pool).run()


class _Waves:
    """One run's waves: each group's previous wave (where its trusts' next chunks start), and
    which trusts stopped."""

    def __init__(
        self,
        chains: dict[str, list[ChunkWork]],
        ctx: ComputeContext,
        warehouse: Warehouse,
        lake_url: str,
        on_done: DoneCallback,
        groups: int,
        pool: ComputePool | None,
    ) -> None:
        trusts = group_trusts(chains, groups)
        self.groups = [waves_of(group) for group in trusts]
        self.count = max((len(waves) for waves in self.groups), default=0)
        self.ctx, self.warehouse, self.lake_url, self.on_done = ctx, warehouse, lake_url, on_done
        self.pool = pool
        self.before: list[PrefectFuture | dict[str, TrustHistory]] = [
            {trust: trust_history(warehouse, trust) for trust in group} for group in trusts
        ]
        self.stopped: set[str] = set()
        self.results: list[FileSummary] = []
        self.logger = get_run_logger()

    def run(self) -> list[FileSummary]:
        computing = self.submit(0) if self.count else {}
        for number in range(1, self.count + 1):
            clock = _Clock()
            with clock("submitting"):
                following = self.submit(number) if number < self.count else {}
            chunks = sum(len(wave) for wave in computing.values())
            self.collect(computing, clock)
            self.logger.info("wave %d of %d (%d chunks): %s", number, self.count, chunks, clock)
            computing = following
        return self.results

    def submit(self, number: int) -> Computing:
        """Each group's task for wave `number`, from the group's previous wave. A trust already
        failed is not computed further (nor its lake written) in this run."""
        computing: Computing = {}
        for g, waves in enumerate(self.groups):
            if number >= len(waves):
                continue
            for chunk in (c for c in waves[number] if c.trust_code in self.stopped):
                self.not_processed(chunk)
            wave = [c for c in waves[number] if c.trust_code not in self.stopped]
            if not wave:
                continue
            # A future passed as an argument reaches the task as its result (Prefect waits for
            # it); the type checker sees the declared parameter type, hence the ignore.
            before = self.before[g]
            future = wave_task.submit(
                wave, before, self.ctx, self.lake_url, self.pool, number + 1, g + 1  # type: ignore[arg-type]
            )  # fmt: skip
            self.before[g] = future
            computing[future] = wave
        return computing

    def collect(self, computing: Computing, clock: _Clock) -> None:
        """Load each chunk of a finished group in one transaction, as the groups come back."""
        for future in clock.timed("waiting", as_completed(list(computing))):
            wave = computing[future]
            try:
                with clock("receiving"):
                    outcomes: list[ChunkOutcome] = future.result()
            except Exception as exc:  # the task itself failed (a worker process died)
                for chunk in wave:
                    self.fail(chunk, exc)
                continue
            for outcome in outcomes:
                self.load(outcome, clock)

    def load(self, outcome: ChunkOutcome, clock: _Clock) -> None:
        chunk = outcome.chunk
        if chunk.trust_code in self.stopped:  # failed after this chunk was submitted
            self.not_processed(chunk)
            return
        if outcome.partitions is None:
            self.fail(chunk, ChunkFailedError(outcome.error or "not computed"))
            return
        try:
            with clock("loading"):
                loaded = load_chunk(outcome.partitions, self.warehouse)
        except Exception as exc:  # the load's transaction rolled back
            self.fail(chunk, exc)
            return
        with clock("reporting"):
            for result, summaries in zip(outcome.partitions, loaded, strict=True):
                _log(summaries)
                self.results.extend(summaries)
                self.on_done(result.work, summaries, None)

    def fail(self, chunk: ChunkWork, exc: BaseException) -> None:
        self.logger.error("%s failed: %s", chunk.label, exc)
        self.stopped.add(chunk.trust_code)
        for work in chunk.partitions:
            self.on_done(work, None, exc)

    def not_processed(self, chunk: ChunkWork) -> None:
        reason = f"not processed: an earlier chunk of {chunk.trust_code} failed"
        self.fail(chunk, ChunkFailedError(reason))


class _Clock:
    """Seconds the flow's process spent on each step of a wave, for the run log."""

    def __init__(self) -> None:
        self.spent: dict[str, float] = {}

    @contextmanager
    def __call__(self, step: str) -> Iterator[None]:
        began = time.perf_counter()
        try:
            yield
        finally:
            self.spent[step] = self.spent.get(step, 0.0) + time.perf_counter() - began

    def timed(self, step: str, items: Iterator[T]) -> Iterator[T]:
        """Items of `items`, counting the time spent waiting for each as `step`."""
        while True:
            with self(step):
                item = next(items, None)
            if item is None:
                return
            yield item

    def __str__(self) -> str:
        return ", ".join(f"{step} {seconds:.1f} s" for step, seconds in self.spent.items())


def _log(summaries: list[FileSummary]) -> None:
    logger = get_run_logger()
    for s in summaries:
        if s.status == "rejected":
            logger.warning(
                "%s %s %s file '%s' rejected by rule %s: %s", s.trust_code, s.reporting_month,
                s.dataset, s.file_name, s.rejection_rule, s.rejection_reason,
            )  # fmt: skip
        else:
            logger.info(
                "%s %s %s file '%s': %d received, %d loaded, %d quarantined", s.trust_code,
                s.reporting_month, s.dataset, s.file_name, s.rows_received, s.rows_loaded,
                s.rows_quarantined,
            )  # fmt: skip
