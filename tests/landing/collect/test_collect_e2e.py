"""End to end through the CLI: a month arriving by MESH, SFTP, S3 and a folder loads with one
`mhsip nightly` (a source that is down is reported, the others go on, no credential is written
anywhere), and a `mhsip collect` killed before it acknowledges redelivers without duplicates."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import fsspec
import pytest
import yaml

from synthetic.mesh_sandbox import free_port
from tests.flows.helpers import db_path, finish_cli, snapshot, start_cli
from tests.landing.collect.helpers import (
    mesh_inbox,
    mesh_send,
    mesh_source,
    month_files,
    s3_source,
    sftp_source,
)
from tests.landing.collect.servers import (
    MESH_PASSWORD,
    MESH_SHARED_KEY,
    S3_KEY_ID,
    S3_SECRET,
    SFTP_PASSWORD,
    mesh_sandbox,
    s3_env,
    s3_server,
    sftp_server,
)

pytestmark = pytest.mark.slow
MONTH = date(2024, 6, 1)
SECRETS = [MESH_PASSWORD, MESH_SHARED_KEY, SFTP_PASSWORD, S3_SECRET]


def _env(sources: Path, endpoint: str) -> dict[str, str]:
    return {
        "MHSIP_SOURCES": str(sources), "MHSIP_MESH_PASSWORD": MESH_PASSWORD,
        "MHSIP_MESH_SHARED_KEY": MESH_SHARED_KEY, "MHSIP_SFTP_PASSWORD": SFTP_PASSWORD,
        **s3_env(endpoint),
    }  # fmt: skip


def _write_sources(path: Path, specs: dict) -> Path:
    path.write_text(yaml.safe_dump({"sources": specs, "retries": 1, "retry_delay_seconds": 0.2}))
    return path


def test_a_month_by_each_channel_loads_and_no_credential_is_written(tmp_path, registry):
    home = tmp_path / "home"
    landing = home / "landing"
    sent = {
        t: month_files(tmp_path / "out", registry, t, MONTH) for t in ("RX2", "RNU", "RJ8", "RH5")
    }
    with (
        mesh_sandbox(tmp_path / "mesh") as url,
        sftp_server(tmp_path / "sftp") as sftp,
        s3_server() as endpoint,
    ):
        for path in sent["RX2"]:
            mesh_send(url, "RX2OT001", path.read_bytes(), path.name)
        (sftp.root / "inbound" / "RNU").mkdir(parents=True)
        for path in sent["RNU"]:
            shutil.copy(path, sftp.root / "inbound" / "RNU" / path.name)
        s3 = fsspec.filesystem("s3", key=S3_KEY_ID, secret=S3_SECRET, endpoint_url=endpoint)
        s3.mkdir("inbound")
        for path in sent["RJ8"]:
            s3.pipe_file(f"inbound/extracts/RJ8/{path.name}", path.read_bytes())
        share = tmp_path / "share"
        (share / "RH5").mkdir(parents=True)
        for path in sent["RH5"]:
            shutil.copy(path, share / "RH5" / path.name)
        down = sftp_source(free_port()) | {"password_env": "MHSIP_SFTP_PASSWORD"}
        sources = _write_sources(tmp_path / "sources.yaml", {
            "mesh": mesh_source(url), "drop": sftp_source(sftp.port),
            "bucket": s3_source(endpoint, "inbound"), "down": down,
            "share": {"type": "folder", "path": str(share)},
        })  # fmt: skip
        log = tmp_path / "nightly.log"

        code = finish_cli(start_cli(["nightly"], home, landing, log, **_env(sources, endpoint)))

        output = log.read_text()
        assert code == 0, output  # a source that is down is a reported outcome
        assert mesh_inbox(url) == []
    subs = snapshot(db_path(home), drop_volatile=False)["etl_submission"]
    loaded = subs[subs["status"] == "loaded"]
    assert sorted(set(loaded["trust_code"])) == ["RH5", "RJ8", "RNU", "RX2"], output
    assert len(loaded) == 8
    assert "source_unreachable" in output and "down" in output  # reported; the others went on
    _assert_no_secret(home, output)


def _assert_no_secret(home: Path, output: str) -> None:
    for secret in SECRETS:
        assert secret not in output
    for path in home.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            for secret in SECRETS:
                assert secret.encode() not in data, f"{secret!r} found in {path}"


def test_a_collect_killed_before_acknowledging_redelivers_without_duplicates(tmp_path, registry):
    home = tmp_path / "home"
    landing, archive = home / "landing", home / "archive"
    files = month_files(tmp_path / "out", registry, "RX2", MONTH)
    drop = month_files(tmp_path / "out", registry, "RNU", MONTH)
    with mesh_sandbox(tmp_path / "mesh") as url, sftp_server(tmp_path / "sftp") as sftp:
        for path in files:
            mesh_send(url, "RX2OT001", path.read_bytes(), path.name)
        (sftp.root / "inbound" / "RNU").mkdir(parents=True)
        for path in drop:
            shutil.copy(path, sftp.root / "inbound" / "RNU" / path.name)
        sources = _write_sources(
            tmp_path / "sources.yaml", {"mesh": mesh_source(url), "drop": sftp_source(sftp.port)}
        )
        env = _env(sources, "http://127.0.0.1:9")
        killed = start_cli(
            ["collect"], home, landing, tmp_path / "killed.log",
            MHSIP_FAILPOINT="collected_before_ack", MHSIP_ARCHIVE=str(archive), **env,
        )  # fmt: skip
        assert finish_cli(killed, timeout=120) == -9
        assert len(mesh_inbox(url)) == 2  # archived and landed, but not acknowledged
        assert len(list(archive.rglob("sha256/*/*"))) == 1

        log = tmp_path / "again.log"
        again = start_cli(["collect"], home, landing, log, MHSIP_ARCHIVE=str(archive), **env)
        assert finish_cli(again, timeout=120) == 0, log.read_text()

        assert mesh_inbox(url) == []
        assert list((sftp.root / "inbound" / "RNU").iterdir()) == []
    landed = sorted(p.relative_to(landing).as_posix() for p in landing.rglob("*") if p.is_file())
    assert landed == sorted(
        [f"RX2/2024-06/{p.name}" for p in files] + [f"RNU/2024-06/{p.name}" for p in drop]
    )
    assert len(list(archive.rglob("sha256/*/*"))) == 4  # one copy of each file's bytes
