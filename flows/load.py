"""The load half of a chunk, run in the flow's process (which holds the warehouse)."""

from __future__ import annotations

from flows.outcomes import FileSummary, summary
from flows.pipeline import PartitionResult
from mhsip.failpoints import failpoint
from warehouse.lake import write_lake_partition
from warehouse.loads import PartitionLoad
from warehouse.schema import FACT_TABLES
from warehouse.store import Warehouse


def load_chunk(
    results: list[PartitionResult], warehouse: Warehouse, lake_url: str
) -> list[list[FileSummary]]:
    """Lake partitions first (each file atomic), then all the chunk's trust-months in ONE
    warehouse transaction.

    A crash between the two leaves the lake ahead of the warehouse; the submissions are not yet
    recorded as seen, so the next run processes them again and both converge.
    """
    for result in results:
        work = result.work
        for outcome in result.outcomes:
            if outcome.status == "loaded" and outcome.facts is not None:
                table = FACT_TABLES[outcome.dataset].name
                write_lake_partition(
                    lake_url, table, work.trust_code, work.reporting_month, outcome.facts
                )
    failpoint("after_lake_write")
    warehouse.replace_partitions(
        [PartitionLoad(r.work.trust_code, r.work.reporting_month, r.outcomes) for r in results]
    )
    return [[summary(r.work, o) for o in r.outcomes] for r in results]
