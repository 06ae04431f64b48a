"""A trust's months cut into compute chunks: by months, and by the bytes of their files."""

from __future__ import annotations

from datetime import date

from flows.plan import chunk_by_trust
from flows.work import PartitionWork
from landing.scan import SubmissionFile


def _work(trust: str, month: int, kib: int) -> PartitionWork:
    when = date(2024 + (month - 1) // 12, (month - 1) % 12 + 1, 1)
    files = [SubmissionFile(trust, when, dataset, f"file://{trust}/{month}/{dataset}",
                            f"{dataset}.csv", f"{trust}{month}{dataset}", kib * 1024 // 2)
             for dataset in ("restrictive_interventions", "ward_stays")]  # fmt: skip
    return PartitionWork(trust, when, files)


def _months(chains: dict, trust: str) -> list[list[int]]:
    return [[w.reporting_month.month for w in chunk.partitions] for chunk in chains[trust]]


def test_small_files_are_cut_by_months_only() -> None:
    works = [_work("RX2", m, 50) for m in range(1, 13)]
    chains = chunk_by_trust(works, 5, 2 * 1024 * 1024)
    assert _months(chains, "RX2") == [[1, 2, 3, 4, 5], [6, 7, 8, 9, 10], [11, 12]]


def test_large_files_are_cut_by_bytes_and_a_month_over_the_budget_is_alone() -> None:
    sizes = {1: 600, 2: 600, 3: 600, 4: 600, 5: 5000, 6: 100, 7: 100}  # KiB a trust-month
    works = [_work("RX2", m, kib) for m, kib in sizes.items()] + [_work("NQL", 1, 10)]
    chains = chunk_by_trust(list(reversed(works)), 12, 1024 * 1024)  # 1 MiB a chunk
    assert _months(chains, "RX2") == [[1], [2], [3], [4], [5], [6, 7]]
    assert _months(chains, "NQL") == [[1]]


def test_files_of_unknown_size_are_cut_by_months_only() -> None:
    works = [_work("RX2", m, 0) for m in range(1, 8)]  # from the raw archive: size 0
    assert _months(chunk_by_trust(works, 3, 1), "RX2") == [[1, 2, 3], [4, 5, 6], [7]]
