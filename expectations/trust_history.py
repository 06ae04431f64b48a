"""A trust's loading history, kept in memory while a run works through its months in order.

The file-level rules compare each file with the trust's *earlier* months only (row counts of the
six loaded months before it, content already loaded for an earlier month). Because a run advances
this state month by month, a backfill over a range reaches exactly the decisions the nightly runs
made over the same months, whatever else the warehouse holds for later months.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from expectations.file_rules import FileHistory

HISTORY_MONTHS = 6


@dataclass(frozen=True)
class LoadedVersion:
    """Only what the file rules read. Counts are rows *received*, known as soon as the file
    rules pass, so a chunk's history advances before its rows are validated."""

    rows_received: int


@dataclass
class TrustHistory:
    """Currently loaded version per (month, dataset), and every hash ever loaded per month."""

    trust_code: str
    loaded: dict[tuple[date, str], LoadedVersion] = field(default_factory=dict)
    hashes: dict[date, set[str]] = field(default_factory=dict)

    def for_file(self, dataset: str, month: date) -> FileHistory:
        earlier = sorted(m for (m, d) in self.loaded if d == dataset and m < month)
        recent = [self.loaded[(m, dataset)].rows_received for m in earlier[-HISTORY_MONTHS:]]
        ri = sorted(m for (m, d) in self.loaded if d == "restrictive_interventions" and m < month)
        ri_counts = [
            self.loaded[(m, "restrictive_interventions")].rows_received
            for m in ri[-HISTORY_MONTHS:]
        ]
        hashes = set().union(*(h for m, h in self.hashes.items() if m < month))
        return FileHistory(
            recent_row_counts=recent, months_with_history=len(earlier),
            loaded_hashes_other_months=hashes, recent_intervention_counts=ri_counts,
        )  # fmt: skip

    def record_loaded(self, month: date, dataset: str, sha256: str, rows_received: int) -> None:
        self.loaded[(month, dataset)] = LoadedVersion(rows_received)
        self.hashes.setdefault(month, set()).add(sha256)
