"""The wave scheduler: every trust's chunks, computed in waves on the task runner and loaded
here as they come back.

Wave k holds each trust's k-th chunk. All the compute runs on the task runner (threads, or Dask
workers), chained by futures so that the data stays where it was computed and only the facts
come back to this process:
  check (per trust; from the previous chunk's history) → validate (the whole wave: one GX run
  per dataset for every trust, its fixed cost paid once a wave, not once a trust) → finish (per
  trust: standardise, write the lake partitions).
This process, which holds the warehouse, loads each finished chunk in one transaction as it
comes back. The next wave is submitted before this one is collected, so its compute overlaps
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
from flows.load_stage import load_chunk
from flows.outcomes import FileSummary
from flows.tasks import ChunkFailedError, check_task, finish_task, validate_task
from flows.work import ChunkWork, ComputeContext, PartitionWork
from warehouse.reads import trust_history
from warehouse.store import Warehouse

T = TypeVar("T")
DoneCallback = Callable[[PartitionWork, list[FileSummary] | None, BaseException | None], None]
Finishing = dict[PrefectFuture, ChunkWork]


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
) -> list[FileSummary]:
    """Process every trust's chunks in waves; each file's summary, in the order loaded."""
    return _Waves(chains, ctx, warehouse, lake_url, on_done).run()


class _Waves:
    """One run's waves: what each trust's next chunk starts from, and which trusts stopped."""

    def __init__(
        self,
        chains: dict[str, list[ChunkWork]],
        ctx: ComputeContext,
        warehouse: Warehouse,
        lake_url: str,
        on_done: DoneCallback,
    ) -> None:
        self.waves = waves_of(chains)
        self.ctx, self.warehouse, self.lake_url, self.on_done = ctx, warehouse, lake_url, on_done
        self.before: dict[str, PrefectFuture | TrustHistory] = {
            trust: trust_history(warehouse, trust) for trust in chains
        }
        self.stopped: set[str] = set()
        self.results: list[FileSummary] = []
        self.logger = get_run_logger()

    def run(self) -> list[FileSummary]:
        finishing = self.submit(self.waves[0]) if self.waves else {}
        for number in range(1, len(self.waves) + 1):
            clock = _Clock()
            with clock("submitting"):
                following = self.submit(self.waves[number]) if number < len(self.waves) else {}
            self.collect(finishing, clock)
            self.logger.info(
                "wave %d of %d (%d chunks): %s", number, len(self.waves), len(finishing), clock
            )
            finishing = following
        return self.results

    def submit(self, wave: list[ChunkWork]) -> Finishing:
        """Chain the wave's tasks: check per trust → validate the wave → finish per trust.
        A trust already failed is not computed further (nor its lake written) in this run."""
        for chunk in (c for c in wave if c.trust_code in self.stopped):
            self.not_processed(chunk)
        wave = [c for c in wave if c.trust_code not in self.stopped]
        if not wave:
            return {}
        # Futures passed as arguments reach the task as their results (Prefect resolves them,
        # and on Dask the data moves between workers, not through this process); the type
        # checker sees the declared parameter types, hence the ignores.
        ctx, before = self.ctx, self.before
        checked = [check_task.submit(c, ctx, before[c.trust_code]) for c in wave]  # type: ignore[arg-type]
        before.update((c.trust_code, f) for c, f in zip(wave, checked, strict=True))
        validated = validate_task.submit(checked, ctx)  # type: ignore[arg-type]
        return {
            finish_task.submit(future, validated, position, ctx, self.lake_url): chunk  # type: ignore[call-overload]
            for position, (chunk, future) in enumerate(zip(wave, checked, strict=True))
        }

    def collect(self, finishing: Finishing, clock: _Clock) -> None:
        """Load each finished chunk of a wave in one transaction as it comes back."""
        for future in clock.timed("waiting", as_completed(list(finishing))):
            chunk = finishing[future]
            if chunk.trust_code in self.stopped:  # failed after this chunk was submitted
                self.not_processed(chunk)
                continue
            try:
                with clock("receiving"):
                    partitions = future.result()
                with clock("loading"):
                    loaded = load_chunk(partitions, self.warehouse)
            except Exception as exc:
                # compute or the lake write failed, or the load's transaction rolled back
                self.fail(chunk, exc)
                continue
            with clock("reporting"):
                for result, summaries in zip(partitions, loaded, strict=True):
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
