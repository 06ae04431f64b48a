"""A trust's months cut into compute chunks: by months, and by the bytes of their files."""

from __future__ import annotations

from datetime import date

from flows.compute_pool import MIN_FILES_FOR_PROCESSES, processes_for
from flows.plan import chunk_by_trust, group_trusts
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


def test_trusts_are_grouped_by_bytes_for_the_worker_processes() -> None:
    kib = {"RX2": 900, "NQL": 500, "RH5": 400, "RXY": 300, "RV3": 100}  # a trust-month
    works = [_work(trust, m, size) for trust, size in kib.items() for m in range(1, 4)]
    groups = group_trusts(chunk_by_trust(works, 12), 2)
    assert [sorted(g) for g in groups] == [["RX2", "RXY"], ["NQL", "RH5", "RV3"]]  # 3.6 : 3.0 MiB
    assert all(len(chunks) == 1 for g in groups for chunks in g.values())
    assert [sorted(g) for g in group_trusts(chunk_by_trust(works, 12), 9)] == [
        ["RX2"],
        ["NQL"],
        ["RH5"],
        ["RXY"],
        ["RV3"],
    ]  # no more groups than trusts


def test_trusts_from_the_archive_are_grouped_by_file_count() -> None:
    works = [_work(t, m, 0) for t in ("RX2", "NQL", "RH5", "RXY") for m in range(1, 3)]
    groups = group_trusts(chunk_by_trust(works, 12), 2)
    assert sorted(len(g) for g in groups) == [2, 2]


def test_worker_processes_only_for_runs_large_enough_to_pay_for_them(monkeypatch) -> None:
    monkeypatch.setattr("os.cpu_count", lambda: 2)
    assert processes_for(0, MIN_FILES_FOR_PROCESSES - 1) == 1  # a nightly's few files
    assert processes_for(0, MIN_FILES_FOR_PROCESSES) == 2  # one per core
    assert processes_for(3, 1) == 3  # set: as set
    assert processes_for(1, 10_000) == 1
