"""Reads of the raw archive, on the record: `etl_archive_access` rows written before a backfill
reads any bytes, and the trust-months whose raw files a retention purge removed."""

from __future__ import annotations

import getpass
import socket
from datetime import UTC, datetime

from flows.work import PartitionWork
from landing.archive import purged_on


def accessed_by() -> str:
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = "unknown"
    return f"{user}@{socket.gethostname()}"


def access_rows(
    works: list[PartitionWork], purpose: str, flow_run_id: str | None
) -> list[dict[str, object]]:
    """One `etl_archive_access` row per archived file the works will read."""
    who, when = accessed_by(), datetime.now(UTC)
    return [
        {"accessed_at": when, "accessed_by": who, "purpose": purpose, "flow_run_id": flow_run_id,
         "submission_id": f.submission_id, "file_sha256": f.sha256, "trust_code": w.trust_code,
         "reporting_month": w.reporting_month, "dataset": f.dataset}
        for w in works for f in w.files
    ]  # fmt: skip


def without_purged(
    works: list[PartitionWork], archive_url: str
) -> tuple[list[PartitionWork], list[str]]:
    """The works whose raw files are all still archived, and one line per trust-month that
    cannot be reprocessed because a retention purge removed its raw files."""
    kept, lines = [], []
    for work in works:
        purged = [(f, when) for f in work.files if (when := purged_on(archive_url, f.sha256))]
        if not purged:
            kept.append(work)
            continue
        when = max(w for _, w in purged)
        lines.append(
            f"{work.label}: raw file purged on {when} (older than MHSIP_ARCHIVE_RETENTION_MONTHS); "
            "not reprocessed, its tables stay as loaded"
        )
    return kept, lines
