"""The landing zone and the raw archive on S3 for real (moto's S3 server on 127.0.0.1): the
nightly and a backfill load the same tables as the same files on disk."""

from __future__ import annotations

import fsspec
import pytest

from tests.flows.helpers import assert_same_tables, db_path, home_env, make_landing, snapshot
from tests.landing.collect.servers import S3_KEY_ID, S3_SECRET, s3_env, s3_server

pytestmark = pytest.mark.slow
TRUSTS = ["RX2", "RNU"]


def test_landing_and_archive_on_s3_load_the_same_tables_as_on_disk(
    tmp_path, registry, prefect_server, monkeypatch
):
    from flows.backfill import backfill_flow
    from flows.nightly import nightly_flow

    disk = make_landing(tmp_path / "source", registry, TRUSTS, 2, seed=8)
    for key, value in home_env(tmp_path / "disk", disk).items():
        monkeypatch.setenv(key, value)
    nightly_flow()
    on_disk = snapshot(db_path(tmp_path / "disk"))

    with s3_server() as endpoint:
        for key, value in s3_env(endpoint).items():
            monkeypatch.setenv(key, value)
        s3 = fsspec.filesystem(
            "s3", key=S3_KEY_ID, secret=S3_SECRET, endpoint_url=endpoint, skip_instance_cache=True
        )
        s3.mkdir("landing")
        s3.mkdir("archive")
        s3.put(str(disk) + "/", "landing/zone/", recursive=True)
        home = tmp_path / "s3home"
        for key, value in home_env(home, disk).items():
            monkeypatch.setenv(key, value)
        monkeypatch.setenv("MHSIP_LANDING", "s3://landing/zone")
        monkeypatch.setenv("MHSIP_ARCHIVE", "s3://archive/raw")

        result = nightly_flow()
        assert result["problems"] == []
        assert len(result["files"]) == 2 * len(TRUSTS) * 2
        assert_same_tables(on_disk, snapshot(db_path(home)))
        s3.invalidate_cache()
        assert len(s3.find("archive/raw/sha256")) == 2 * len(TRUSTS) * 2
        assert not (home / "archive").exists()  # the archive is the bucket, not a folder

        s3.rm("landing/zone", recursive=True)  # a backfill reads the archive on S3
        again = backfill_flow(from_month="2024-01", to_month="2024-02")
        assert again["partitions"] == len(TRUSTS) * 2
        assert_same_tables(on_disk, snapshot(db_path(home)))
