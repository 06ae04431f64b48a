"""The raw archive keeps each file's bytes once, under their SHA-256."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from landing.archive import ArchiveError, archive_file, read_archived

CONTENT = b"incident_id,intervention_id\nI1,1\n"
SHA = hashlib.sha256(CONTENT).hexdigest()


def test_stores_once_under_the_hash_and_reads_back(tmp_path: Path) -> None:
    root = str(tmp_path / "archive")
    path = archive_file(root, CONTENT, SHA)
    assert path == f"{root}/sha256/{SHA[:2]}/{SHA}"
    mtime = Path(path).stat().st_mtime_ns
    assert archive_file(root, CONTENT, SHA) == path  # write-once: the second call is a no-op
    assert Path(path).stat().st_mtime_ns == mtime
    assert read_archived(root, SHA) == CONTENT
    assert [p.name for p in Path(path).parent.iterdir()] == [SHA]


def test_refuses_content_that_does_not_match_its_hash(tmp_path: Path) -> None:
    with pytest.raises(ArchiveError, match="does not hash"):
        archive_file(str(tmp_path), b"other bytes", SHA)
    assert list(tmp_path.iterdir()) == []


def test_refuses_malformed_keys_and_detects_corruption(tmp_path: Path) -> None:
    with pytest.raises(ArchiveError):
        read_archived(str(tmp_path), "../../etc/passwd")
    path = Path(archive_file(str(tmp_path), CONTENT, SHA))
    path.write_bytes(b"tampered")
    with pytest.raises(ArchiveError, match="does not match"):
        read_archived(str(tmp_path), SHA)
    with pytest.raises(FileNotFoundError):
        read_archived(str(tmp_path), "0" * 64)
