"""Collecting from a real MESH sandbox: files land where the scan finds them, only then are
they acknowledged; chunked, unknown, corrupt and incomplete messages are named, never lost."""

from __future__ import annotations

import hashlib
import json
from datetime import date
from pathlib import Path

import pytest

from landing.archive import read_archived
from landing.collect.run import collect_all
from landing.collect.sources import Sources
from landing.scan import scan_landing
from tests.landing.collect.helpers import mesh_inbox, mesh_send, mesh_source, month_files
from tests.landing.collect.servers import MESH_PASSWORD, MESH_SHARED_KEY, mesh_sandbox

pytestmark = pytest.mark.slow


@pytest.fixture
def mesh(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("MHSIP_MESH_PASSWORD", MESH_PASSWORD)
    monkeypatch.setenv("MHSIP_MESH_SHARED_KEY", MESH_SHARED_KEY)
    with mesh_sandbox(tmp_path / "mesh") as url:
        yield url


def _sources(url: str) -> Sources:
    return Sources.model_validate(
        {"sources": {"mesh": mesh_source(url)}, "retries": 0, "retry_delay_seconds": 0}
    )


def test_a_month_sent_by_mesh_lands_and_the_mailbox_is_left_empty(mesh, tmp_path, registry):
    files = month_files(tmp_path / "out", registry, "RX2", date(2024, 3, 1))
    for path in files:  # the second in chunks of 4 kB: MESH splits large files, the client joins
        mesh_send(
            mesh, "RX2OT001", path.read_bytes(), path.name, 4096 if path == files[1] else None
        )
    landing, archive = tmp_path / "landing", tmp_path / "archive"

    [report] = collect_all(_sources(mesh), registry, str(landing), str(archive))

    assert report.error is None and report.problems == [] and report.landed == 2
    found, problems = scan_landing(str(landing), registry)
    assert problems == []
    assert {(f.trust_code, f.month_label, f.file_name) for f in found} == {
        ("RX2", "2024-03", p.name) for p in files
    }
    for path in files:
        sha = hashlib.sha256(path.read_bytes()).hexdigest()
        stored = (archive / "sha256" / sha[:2] / sha).read_bytes()
        assert path.read_bytes() not in stored  # encrypted at rest
        assert read_archived(str(archive), sha) == path.read_bytes()
    assert mesh_inbox(mesh) == []


def test_unknown_sender_and_unmatched_name_are_kept_unsorted_with_the_message_id(
    mesh, tmp_path, registry
):
    stranger = mesh_send(mesh, "X99OT999", b"a,b\n1,2\n", "RI_2024-03.csv")
    odd_name = mesh_send(mesh, "RNUOT001", b"a,b\n1,2\n", "notes for March.docx")
    landing = tmp_path / "landing"

    [report] = collect_all(_sources(mesh), registry, str(landing), str(tmp_path / "archive"))

    rules = {p.item: p.rule for p in report.problems}
    assert rules == {stranger: "unknown_sender", odd_name: "unrecognised_file"}
    assert all(p.item in p.detail for p in report.problems)  # the message id is quoted
    kept = {json.loads(p.read_text())["item"] for p in landing.glob("_unsorted/*/*/problem.json")}
    assert kept == {stranger, odd_name}
    assert scan_landing(str(landing), registry) == ([], [])  # the scan never reads _unsorted
    assert mesh_inbox(mesh) == []  # kept, so acknowledged


def test_a_chunked_message_that_does_not_assemble_stays_in_the_mailbox(mesh, tmp_path, registry):
    [path, *_] = month_files(tmp_path / "out", registry, "RNU", date(2024, 3, 1))
    message_id = mesh_send(mesh, "RNUOT001", path.read_bytes(), path.name, 1024)
    [lost] = (tmp_path / "mesh" / "store").glob(f"*/in/{message_id}/2")
    lost.unlink()  # the sandbox's copy of chunk 2 is gone: the message cannot be joined
    landing = tmp_path / "landing"

    [report] = collect_all(_sources(mesh), registry, str(landing), str(tmp_path / "archive"))

    [problem] = report.problems
    assert (problem.rule, problem.item) == ("mesh_chunks_incomplete", message_id)
    assert message_id in problem.detail
    assert not landing.exists() or not any(landing.rglob(path.name))
    assert mesh_inbox(mesh) == [message_id]  # never lost: there for when the sender resends


def test_a_mesh_server_that_is_down_is_retried_with_backoff_then_reported(
    registry, tmp_path, monkeypatch
):
    monkeypatch.setenv("MHSIP_MESH_PASSWORD", MESH_PASSWORD)
    monkeypatch.setenv("MHSIP_MESH_SHARED_KEY", MESH_SHARED_KEY)
    from synthetic.mesh_sandbox import free_port

    sources = Sources.model_validate({
        "sources": {"mesh": mesh_source(f"http://127.0.0.1:{free_port()}")},
        "retries": 2, "retry_delay_seconds": 1.5,
    })  # fmt: skip
    waits: list[float] = []

    [report] = collect_all(
        sources, registry, str(tmp_path / "l"), str(tmp_path / "a"), sleep=waits.append
    )

    assert waits == [1.5, 3.0] and report.attempts == 3
    [problem] = report.problems
    assert problem.rule == "source_unreachable" and "3 attempts" in problem.detail
    assert MESH_PASSWORD not in problem.detail and MESH_SHARED_KEY not in problem.detail
