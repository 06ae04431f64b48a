"""Backfills: same tables as the nightly runs that built the history, from the raw archive."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.flows.helpers import (
    assert_same_tables,
    copy_months,
    db_path,
    home_env,
    lake_digest,
    make_landing,
    snapshot,
)

pytestmark = pytest.mark.slow
TRUSTS = ["RX2", "RH5", "RXY"]
MONTHS = ["2024-01", "2024-02", "2024-03", "2024-04"]


@pytest.fixture(scope="module")
def monthly(tmp_path_factory, registry, prefect_server):
    """Months arrive one at a time and nightly runs after each, as in production."""
    from flows.nightly import nightly_flow

    root = tmp_path_factory.mktemp("backfill")
    source = make_landing(root / "source", registry, TRUSTS, len(MONTHS), seed=5)
    landing, home = root / "landing", root / "home"
    landing.mkdir()
    with pytest.MonkeyPatch.context() as mp:
        for key, value in home_env(home, landing, reference_from=source).items():
            mp.setenv(key, value)
        for month in MONTHS:
            copy_months(source, landing, [month])
            nightly_flow()
        yield {"root": root, "source": source, "landing": landing, "home": home, "mp": mp,
               "registry": registry}  # fmt: skip


def test_backfill_after_landing_cleaned_gives_identical_tables(monthly) -> None:
    from flows.backfill import backfill_flow

    home = monthly["home"]
    before, lake_before = snapshot(db_path(home)), lake_digest(home / "lake")
    shutil.rmtree(monthly["landing"])  # backfills read the raw archive
    result = backfill_flow(from_month=MONTHS[0], to_month=MONTHS[-1])
    assert result["partitions"] == len(TRUSTS) * len(MONTHS)
    assert len(result["files"]) == 2 * len(TRUSTS) * len(MONTHS)
    assert_same_tables(before, snapshot(db_path(home)))
    assert lake_digest(home / "lake") == lake_before


def test_one_nightly_over_everything_equals_month_by_month(monthly, tmp_path) -> None:
    from flows.nightly import nightly_flow

    home = tmp_path / "home"
    for key, value in home_env(home, monthly["source"]).items():
        monthly["mp"].setenv(key, value)
    nightly_flow()
    assert_same_tables(snapshot(db_path(monthly["home"])), snapshot(db_path(home)))


def test_backfill_of_one_trust_and_month_touches_only_that(monthly) -> None:
    from flows.backfill import backfill_flow

    home = monthly["home"]
    for key, value in home_env(home, monthly["landing"]).items():
        monthly["mp"].setenv(key, value)
    before = snapshot(db_path(home))
    result = backfill_flow(from_month="2024-02", to_month="2024-02", trusts=["RH5"])
    assert {(f["trust_code"], f["reporting_month"]) for f in result["files"]} == {
        ("RH5", "2024-02")
    }
    assert_same_tables(before, snapshot(db_path(home)))


def test_backfill_on_a_dask_cluster_gives_the_same_tables(monthly, tmp_path) -> None:
    from flows.backfill import backfill_flow
    from flows.runs import with_settings
    from flows.settings import Settings

    home = monthly["home"]
    copy = tmp_path / "home"
    shutil.copytree(home, copy)
    for key, value in home_env(copy, tmp_path / "no-landing", MHSIP_TASK_RUNNER="dask").items():
        monthly["mp"].setenv(key, value)
    settings = Settings()
    assert settings.task_runner == "dask"
    before = snapshot(db_path(copy))
    result = with_settings(backfill_flow, settings)(from_month=MONTHS[0], to_month=MONTHS[-1])
    assert len(result["files"]) == 2 * len(TRUSTS) * len(MONTHS)
    assert result["failures"] == []
    assert_same_tables(before, snapshot(db_path(copy)))


def test_the_archive_holds_no_plaintext_and_a_wrong_key_changes_nothing(monthly) -> None:
    """Every byte of the archive is searched for the landing files' identifiers; a backfill
    under a key that did not write the archive fails that trust-month with the reason."""
    from flows.backfill import backfill_flow
    from landing.archive_keys import new_key_text
    from tests.hostile.helpers.identifiers import identifiers_in

    home = monthly["home"]
    identifiers = identifiers_in(monthly["source"], monthly["registry"])
    assert len(identifiers) > 50
    archived = [p for p in (home / "archive").rglob("*") if p.is_file()]
    assert len(archived) >= 2 * len(TRUSTS) * len(MONTHS)
    hits = [(p.name, i) for p in archived for i in identifiers if i.encode() in p.read_bytes()]
    assert hits == []
    before = snapshot(db_path(home))
    monthly["mp"].setenv("MHSIP_ARCHIVE_KEY", new_key_text())
    try:
        state = backfill_flow(
            from_month="2024-03", to_month="2024-03", trusts=["RX2"], return_state=True
        )
    finally:
        monthly["mp"].setenv("MHSIP_ARCHIVE_KEY", home_env(home, monthly["landing"])[
            "MHSIP_ARCHIVE_KEY"])  # fmt: skip
    assert state.is_failed()
    failures = getattr(state.data, "result", state.data)["failures"]  # the run's summary
    assert [f["partition"] for f in failures] == ["RX2 2024-03"]
    assert "which is not configured" in failures[0]["error"]
    assert_same_tables(before, snapshot(db_path(home)))


def test_every_backfill_read_is_on_the_access_record(monthly) -> None:
    import duckdb

    from flows.backfill import backfill_flow

    home = monthly["home"]
    for key, value in home_env(home, monthly["landing"]).items():
        monthly["mp"].setenv(key, value)
    result = backfill_flow(from_month="2024-04", to_month="2024-04", trusts=["RXY"])
    with duckdb.connect(str(db_path(home)), read_only=True) as con:
        rows = con.sql(
            "SELECT purpose, accessed_by, submission_id, trust_code, dataset, flow_run_id "
            "FROM etl_archive_access WHERE trust_code = 'RXY' AND reporting_month = '2024-04-01'"
        ).fetchall()
    assert sorted(r[2] for r in rows[-2:]) == sorted(f["submission_id"] for f in result["files"])
    assert all(r[0] == "backfill" and "@" in r[1] and r[5] for r in rows)


def test_a_purge_removes_old_raw_bytes_only_and_a_backfill_says_so(monthly, tmp_path) -> None:
    """Retention: months before the cutoff lose their raw bytes, keep their records and hashes;
    a backfill over them says so in one line per trust-month and changes nothing there."""
    from datetime import date

    import duckdb

    from flows.backfill import backfill_flow
    from flows.settings import Settings
    from mhsip.cli.archive_commands import retention_cutoff, run_purge

    home = tmp_path / "home"
    shutil.copytree(monthly["home"], home)
    for key, value in home_env(home, monthly["landing"]).items():
        monthly["mp"].setenv(key, value)
    today = date(2026, 12, 1)
    months = (today.year - 2024) * 12 + today.month - 3  # keeps 2024-03 onwards
    assert retention_cutoff(today, months) == date(2024, 3, 1)
    monthly["mp"].setenv("MHSIP_ARCHIVE_RETENTION_MONTHS", str(months))
    query = ("SELECT strftime(reporting_month, '%Y-%m') AS m, file_sha256, status "
             "FROM etl_submission ORDER BY 1, 2")  # fmt: skip
    with duckdb.connect(str(db_path(home)), read_only=True) as con:
        records = con.sql(query).fetchall()
    before = snapshot(db_path(home))
    archived = {sha: home / "archive" / "sha256" / sha[:2] / sha for _, sha, _ in records}
    run_purge(Settings(), dry_run=True, today=today)
    assert all(p.exists() for p in archived.values())
    run_purge(Settings(), dry_run=False, today=today)
    for month, sha, _ in records:
        assert archived[sha].exists() == (month >= "2024-03"), (month, sha)
        assert Path(f"{archived[sha]}.purged").exists() == (month < "2024-03")
    with duckdb.connect(str(db_path(home)), read_only=True) as con:
        assert con.sql(query).fetchall() == records  # every record and hash stays
        # (no relation may outlive the connection: it would keep the file open read-only)
        purges = con.sql("SELECT count(*) FROM etl_archive_access WHERE purpose = 'purge'")
        assert purges.fetchone() == (2 * len(TRUSTS) * 2,)
        del purges
    result = backfill_flow(from_month=MONTHS[0], to_month=MONTHS[-1])
    assert result["partitions"] == len(TRUSTS) * 2  # 2024-03 and 2024-04 only
    assert sorted(result["purged"]) == sorted(
        f"{t} {m}: raw file purged on 2026-12-01 (older than MHSIP_ARCHIVE_RETENTION_MONTHS); "
        "not reprocessed, its tables stay as loaded"
        for t in TRUSTS for m in MONTHS[:2]
    )  # fmt: skip
    assert_same_tables(before, snapshot(db_path(home)))
