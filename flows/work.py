"""The units of work a run is cut into, and what the compute half is handed.

Grain: one `PartitionWork` = one trust's submission for one reporting month (up to two files);
a `ChunkWork` = consecutive months of one trust, processed in month order because the file rules
compare each file with the trust's earlier months.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

from landing.archive_keys import Keyring
from landing.scan import SubmissionFile
from transforms.read_guards import DEFAULT_LIMITS, ReadLimits
from transforms.trust_config import Registry
from warehouse.partition_load import SubmissionOutcome


@dataclass(frozen=True)
class ComputeContext:
    """What the compute half needs: picklable, no connections (safe to send to Dask workers)."""

    registry: Registry
    key: bytes = field(repr=False)
    archive_url: str
    imd: Mapping[str, int] | None = None
    flow_run_id: str | None = None
    max_file_bytes: int = 256 * 1024 * 1024  # MHSIP_MAX_FILE_BYTES
    read_limits: ReadLimits = DEFAULT_LIMITS  # MHSIP_MAX_XLSX_UNCOMPRESSED_BYTES
    archive_keys: Keyring | None = field(default=None, repr=False)  # None: from the environment


@dataclass
class PartitionWork:
    trust_code: str
    reporting_month: date
    files: list[SubmissionFile]
    from_archive: bool = False  # backfills read the raw archive, not the landing zone

    @property
    def label(self) -> str:
        return f"{self.trust_code} {self.reporting_month:%Y-%m}"


@dataclass
class ChunkWork:
    trust_code: str
    partitions: list[PartitionWork]

    @property
    def label(self) -> str:
        first, last = self.partitions[0].reporting_month, self.partitions[-1].reporting_month
        return f"{self.trust_code} {first:%Y-%m}..{last:%Y-%m}"


@dataclass
class PartitionResult:
    work: PartitionWork
    outcomes: list[SubmissionOutcome]
