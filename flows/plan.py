"""Decide which trust-months a run processes, and in what order.

A trust's months run oldest first, one after another, because the file-level rules compare a file
with the trust's earlier months (row-count history, duplicate content). Different trusts run in
parallel. This ordering is what makes a backfill give the same tables as the nightly runs that
built the same history.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date

import pandas as pd

from flows.work import ChunkWork, PartitionWork
from landing.scan import SubmissionFile
from mhsip.grouping import consecutive_groups
from transforms.canonical import DATASETS, Dataset


def group_partitions(
    files: list[SubmissionFile], from_archive: bool = False
) -> list[PartitionWork]:
    grouped: dict[tuple[str, date], list[SubmissionFile]] = defaultdict(list)
    for file in files:
        grouped[(file.trust_code, file.reporting_month)].append(file)
    return [
        PartitionWork(trust, month, sorted(group, key=lambda f: f.dataset), from_archive)
        for (trust, month), group in sorted(grouped.items())
    ]


def changed_files(files: list[SubmissionFile], latest: pd.DataFrame) -> list[SubmissionFile]:
    """Files whose content differs from the latest version received for that trust-month-dataset.

    `latest` has one row per (trust_code, reporting_month, dataset) with `file_sha256`. A file
    already seen (loaded, or rejected and not changed since) is skipped: nightly is idempotent.
    """
    seen = {
        (r.trust_code, _as_date(r.reporting_month), r.dataset): r.file_sha256
        for r in latest.itertuples(index=False)
    }
    return [
        f for f in files
        if seen.get((f.trust_code, f.reporting_month, f.dataset)) != f.sha256
    ]  # fmt: skip


def archived_files(archived: pd.DataFrame) -> list[SubmissionFile]:
    """Rebuild submission files from `etl_submission` rows, to reprocess from the raw archive."""
    return [
        SubmissionFile(
            str(r.trust_code), _as_date(r.reporting_month), _dataset(r.dataset),
            f"archive:{r.file_sha256}", str(r.file_name), str(r.file_sha256), 0,
        )
        for r in archived.itertuples(index=False)
    ]  # fmt: skip


def chunk_by_trust(
    works: list[PartitionWork], months_per_chunk: int, bytes_per_chunk: int | None = None
) -> dict[str, list[ChunkWork]]:
    """Each trust's partitions in month order, cut into chunks of at most `months_per_chunk`
    months and, when `bytes_per_chunk` is given, at most that many bytes of input files (a
    larger month is a chunk alone; a file whose size is not known, as from the raw archive,
    counts 0 bytes).

    A chunk is the unit of compute (one task), and a wave holds one chunk per trust, so its
    size bounds memory: the byte budget keeps a wave's size the same at ten or fifty times
    today's rows, where a fixed number of months would grow with them.
    """
    per_trust: dict[str, list[PartitionWork]] = defaultdict(list)
    for work in sorted(works, key=lambda w: (w.trust_code, w.reporting_month)):
        per_trust[work.trust_code].append(work)
    budget = bytes_per_chunk if bytes_per_chunk is not None else float("inf")
    return {
        trust: [
            ChunkWork(trust, chunk)
            for chunk in consecutive_groups(
                parts, [sum(f.size_bytes for f in w.files) for w in parts], budget, months_per_chunk
            )
        ]
        for trust, parts in per_trust.items()
    }


def group_trusts(
    chains: dict[str, list[ChunkWork]], groups: int
) -> list[dict[str, list[ChunkWork]]]:
    """The trusts split into at most `groups` groups of about equal input bytes (largest trust
    first, each to the lightest group so far), each group's trusts in code order. A group is
    computed in one task a wave (one worker process), so the groups are what runs in parallel.
    A file of unknown size (from the raw archive) weighs 1, so those are split by count.
    """
    sizes = {
        trust: sum(
            max(f.size_bytes, 1) for chunk in chunks for w in chunk.partitions for f in w.files
        )
        for trust, chunks in chains.items()
    }
    loads = [0] * max(1, min(groups, len(chains)))
    members: list[list[str]] = [[] for _ in loads]
    for trust in sorted(chains, key=lambda t: (-sizes[t], t)):
        lightest = loads.index(min(loads))
        loads[lightest] += sizes[trust]
        members[lightest].append(trust)
    return [{trust: chains[trust] for trust in sorted(group)} for group in members if group]


def months_between(first: date, last: date) -> list[date]:
    months, current = [], first.replace(day=1)
    while current <= last:
        months.append(current)
        current = date(current.year + current.month // 12, current.month % 12 + 1, 1)
    return months


def _dataset(value: object) -> Dataset:
    if value not in DATASETS:
        raise ValueError(f"unknown dataset {value!r} in etl_submission")
    return value  # type: ignore[return-value]


def _as_date(value: object) -> date:
    if isinstance(value, pd.Timestamp | pd.Period):
        return date(value.year, value.month, 1)
    if isinstance(value, date):
        return value.replace(day=1)
    return date.fromisoformat(str(value)[:10]).replace(day=1)
