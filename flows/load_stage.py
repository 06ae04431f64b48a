"""The load of a chunk, in two steps: the lake (wherever the chunk was computed), then the
warehouse (in the flow's process, which holds it)."""

from __future__ import annotations

from flows.outcomes import FileSummary, summary
from flows.work import PartitionResult
from mhsip.failpoints import failpoint
from warehouse.lake import write_lake_partition
from warehouse.partition_load import PartitionLoad
from warehouse.schema import FACT_TABLES
from warehouse.store import Warehouse


def write_lake(results: list[PartitionResult], lake_url: str) -> None:
    """Each loaded file's lake partition (each file atomic). Runs before the warehouse load:
    a crash between the two leaves the lake ahead of the warehouse; the submissions are not yet
    recorded as seen, so the next run processes them again and both converge."""
    for result in results:
        work = result.work
        for outcome in result.outcomes:
            if outcome.status == "loaded" and outcome.facts is not None:
                table = FACT_TABLES[outcome.dataset].name
                write_lake_partition(
                    lake_url, table, work.trust_code, work.reporting_month, outcome.facts
                )
    failpoint("after_lake_write")


def load_chunk(results: list[PartitionResult], warehouse: Warehouse) -> list[list[FileSummary]]:
    """All the chunk's trust-months in ONE warehouse transaction (the lake is already written)."""
    warehouse.replace_partitions(
        [PartitionLoad(r.work.trust_code, r.work.reporting_month, r.outcomes) for r in results]
    )
    return [[summary(r.work, o) for o in r.outcomes] for r in results]
