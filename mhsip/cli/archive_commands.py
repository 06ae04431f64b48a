"""`mhsip archive ...`: keys, re-encryption after a rotation, and the retention purge."""

from __future__ import annotations

from datetime import date

from flows.archive_access import accessed_by
from flows.settings import Settings
from landing.archive import purge, purged_on, rekey
from mhsip.cli.console import out


def retention_cutoff(today: date, months: int) -> date:
    """First month kept: reporting months before it are past retention."""
    index = today.year * 12 + today.month - 1 - months
    return date(index // 12, index % 12 + 1, 1)


def run_purge(settings: Settings, dry_run: bool, today: date) -> None:
    """Remove the raw bytes of every file whose reporting month is past retention (unless the
    same bytes also serve a month still kept); records and hashes stay in etl_submission."""
    from datetime import UTC, datetime

    from warehouse.engine import open_warehouse

    cutoff = retention_cutoff(today, settings.archive_retention_months)
    with open_warehouse(settings.warehouse, settings.lock_timeout_seconds) as wh:
        rows = wh.query(
            "SELECT submission_id, file_sha256, trust_code, reporting_month, dataset "
            "FROM etl_submission ORDER BY trust_code, reporting_month, dataset"
        )
        months = [date(m.year, m.month, 1) for m in rows["reporting_month"]]
        rows["month"] = months
        kept = set(rows.loc[rows["month"] >= cutoff, "file_sha256"])
        old = rows[(rows["month"] < cutoff) & ~rows["file_sha256"].isin(kept)]
        old = old[[purged_on(settings.archive_url, sha) is None for sha in old["file_sha256"]]]
        verb = "would remove" if dry_run else "removed"
        when, removed, access = f"{today:%Y-%m-%d}", 0, []
        for row in old.drop_duplicates("file_sha256").itertuples(index=False):
            if dry_run or purge(settings.archive_url, str(row.file_sha256), when):
                removed += 1
                access.append({
                    "accessed_at": datetime.now(UTC), "accessed_by": accessed_by(),
                    "purpose": "purge", "flow_run_id": None, "submission_id": row.submission_id,
                    "file_sha256": row.file_sha256, "trust_code": row.trust_code,
                    "reporting_month": row.month, "dataset": row.dataset,
                })  # fmt: skip
        if not dry_run:
            wh.record_archive_access(access)
    out.print(
        f"{verb} the raw bytes of {removed} archived files of months before {cutoff:%Y-%m} "
        f"(MHSIP_ARCHIVE_RETENTION_MONTHS={settings.archive_retention_months}); "
        "their records and hashes stay"
    )


def run_rekey(settings: Settings) -> None:
    counts = rekey(settings.archive_url, settings.archive_keyring())
    out.print(
        f"archive under key {settings.archive_keyring().current.key_id}: "
        f"{counts['encrypted']} plaintext files encrypted, {counts['re_encrypted']} re-encrypted "
        f"from a previous key, {counts['already_current']} already current"
    )
