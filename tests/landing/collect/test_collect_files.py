"""Collecting from a real SFTP server (asyncssh's) and a real S3 API (moto's server): a trust's
folder lands as its months, collected files move to processed/ only once archived and landed."""

from __future__ import annotations

import hashlib
from datetime import date
from pathlib import Path

import fsspec
import pytest

from landing.collect.run import collect_all
from landing.collect.sources import Sources
from landing.scan import scan_landing
from tests.landing.collect.helpers import month_files, s3_source, sftp_source
from tests.landing.collect.servers import (
    S3_KEY_ID,
    S3_SECRET,
    SFTP_PASSWORD,
    s3_server,
    sftp_server,
)

pytestmark = pytest.mark.slow


def _sources(name: str, spec: dict) -> Sources:
    return Sources.model_validate({"sources": {name: spec}, "retries": 0})


def _check_landed(landing: Path, archive: Path, registry, files: list[Path], trust: str) -> None:
    found, problems = scan_landing(str(landing), registry)
    assert problems == []
    assert {(f.trust_code, f.month_label, f.file_name) for f in found} == {
        (trust, "2024-05", p.name) for p in files
    }
    for path in files:
        sha = hashlib.sha256(path.read_bytes()).hexdigest()
        assert (archive / "sha256" / sha[:2] / sha).exists()


def test_sftp_drop(tmp_path, registry, monkeypatch):
    monkeypatch.setenv("MHSIP_SFTP_PASSWORD", SFTP_PASSWORD)
    files = month_files(tmp_path / "out", registry, "RNU", date(2024, 5, 1))
    with sftp_server(tmp_path / "sftp") as server:
        inbound = server.root / "inbound" / "RNU"
        inbound.mkdir(parents=True)
        for path in files:
            (inbound / path.name).write_bytes(path.read_bytes())
        (server.root / "inbound" / "ZZZ").mkdir()
        (server.root / "inbound" / "ZZZ" / "RI_2024-05.csv").write_bytes(b"a\n1\n")
        landing, archive = tmp_path / "landing", tmp_path / "archive"

        [report] = collect_all(
            _sources("drop", sftp_source(server.port)), registry, str(landing), str(archive)
        )

        assert report.error is None and report.landed == 2
        assert [p.rule for p in report.problems] == ["unknown_sender"]
        _check_landed(landing, archive, registry, files, "RNU")
        assert sorted(
            p.name for p in (server.root / "inbound" / "processed" / "RNU").iterdir()
        ) == [p.name for p in files]
        assert list(inbound.iterdir()) == []
        again = collect_all(
            _sources("drop", sftp_source(server.port)), registry, str(landing), str(archive)
        )
        assert again[0].delivered == [] and again[0].problems == []  # nothing new


def test_s3_bucket(tmp_path, registry, monkeypatch):
    monkeypatch.setenv("MHSIP_S3_ACCESS_KEY_ID", S3_KEY_ID)
    monkeypatch.setenv("MHSIP_S3_SECRET_ACCESS_KEY", S3_SECRET)
    files = month_files(tmp_path / "out", registry, "RJ8", date(2024, 5, 1))
    with s3_server() as endpoint:
        fs = fsspec.filesystem(
            "s3", key=S3_KEY_ID, secret=S3_SECRET, endpoint_url=endpoint, skip_instance_cache=True
        )
        fs.mkdir("inbound")
        for path in files:
            fs.pipe_file(f"inbound/extracts/RJ8/{path.name}", path.read_bytes())
        landing, archive = tmp_path / "landing", tmp_path / "archive"

        [report] = collect_all(
            _sources("bucket", s3_source(endpoint, "inbound")), registry, str(landing), str(archive)
        )

        assert report.error is None and report.problems == [] and report.landed == 2
        _check_landed(landing, archive, registry, files, "RJ8")
        fs.invalidate_cache()
        assert sorted(fs.ls("inbound/extracts/processed/RJ8")) == sorted(
            f"inbound/extracts/processed/RJ8/{p.name}" for p in files
        )
        assert not fs.exists("inbound/extracts/RJ8")
