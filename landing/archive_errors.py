"""What the raw archive raises (kept apart so the archive's modules share them without a cycle)."""

from __future__ import annotations


class ArchiveError(ValueError):
    """The archive was asked for a malformed key, holds bytes that do not match it, or no
    configured archive key opens them."""


class ArchivePurgedError(FileNotFoundError):
    """The raw bytes were removed by `mhsip archive purge` (retention); the record stays."""

    def __init__(self, sha256: str, when: str) -> None:
        self.sha256 = sha256
        self.when = when.strip()
        super().__init__(
            f"raw file {sha256[:12]} was purged on {self.when} (MHSIP_ARCHIVE_RETENTION_MONTHS); "
            "it cannot be reprocessed"
        )
