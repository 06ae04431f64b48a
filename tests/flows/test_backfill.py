"""Backfills: same tables as the nightly runs that built the history, from the raw archive."""

from __future__ import annotations

import shutil

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
        yield {"root": root, "source": source, "landing": landing, "home": home, "mp": mp}


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
