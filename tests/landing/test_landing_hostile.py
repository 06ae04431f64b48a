"""Discovery over a hostile landing zone: links, unsafe names, huge files (no flow, no Prefect)."""

from __future__ import annotations

from pathlib import Path

import pytest

import landing.scan as landing
from landing.fetch import read_bytes
from landing.scan import scan_landing, shown, unsafe_name_reason
from transforms.errors import FileRejected

RI = "RJ8_restrictive_interventions_2024-01.csv"


def _month(root: Path) -> Path:
    folder = root / "landing" / "RJ8" / "2024-01"
    folder.mkdir(parents=True)
    return folder


def _scan(root: Path, registry, limit: int = 1000):
    files, problems = scan_landing(str(root / "landing"), registry, max_file_bytes=limit)
    return {f.file_name for f in files}, [(p.rule, p.detail) for p in problems]


def test_a_huge_file_is_refused_from_its_size_without_reading_it(tmp_path, registry, monkeypatch):
    folder = _month(tmp_path)
    with (folder / RI).open("wb") as handle:
        handle.truncate(4 << 30)  # sparse 4 GiB: reading it would take seconds and memory
    hashed: list[str] = []
    monkeypatch.setattr(landing, "_hash", lambda fs, path: hashed.append(path) or ("0" * 64, 0))
    names, problems = _scan(tmp_path, registry)
    assert names == set() and hashed == []
    assert problems == [(
        "file_too_large",
        f"RJ8 2024-01: '{RI}' is 4,294,967,296 bytes, over the limit of 1,000 "
        "(MHSIP_MAX_FILE_BYTES); not read. Send the month's extract only, or ask us to raise "
        "the limit",
    )]  # fmt: skip


def test_links_are_reported_and_never_followed(tmp_path, registry) -> None:
    folder = _month(tmp_path)
    (folder / "real_ws.csv").write_text("x\n")
    (folder / RI).symlink_to(folder / "real_ws.csv")  # inside the landing zone
    (folder / "RJ8_ward_stays_2024-01.csv").symlink_to("/etc/hostname")
    (tmp_path / "landing" / "RJ8" / "2024-02").symlink_to("/nonexistent")  # dangling
    names, problems = _scan(tmp_path, registry)
    rules = sorted(rule for rule, _ in problems)
    assert rules == [
        "symlink_not_followed", "symlink_outside_landing", "symlink_outside_landing",
        "unrecognised_file",  # real_ws.csv matches no pattern
    ]  # fmt: skip
    assert names == set()


def test_unsafe_names_are_refused_and_shown_escaped(tmp_path, registry) -> None:
    folder = _month(tmp_path)
    bidi = "RJ8_restrictive_interventions_\u202ecsv.exe"
    (folder / bidi).write_text("x\n")
    (folder / "RJ8_ward_stays_2024\\..\\01.csv").write_text("x\n")
    names, problems = _scan(tmp_path, registry)
    assert names == set()
    assert [rule for rule, _ in problems] == ["unsafe_file_name", "unsafe_file_name"]
    assert any("\\u202e" in detail for _, detail in problems)
    assert all("\u202e" not in detail for _, detail in problems)


def test_non_ascii_names_are_read(tmp_path, registry) -> None:
    folder = _month(tmp_path)
    name = "RJ8_restrictive_interventions_Llanelli–Ŵ_é.csv"
    (folder / name).write_text("incident_id\n")
    names, problems = _scan(tmp_path, registry)
    assert names == {name} and problems == []


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("a/b.csv", "contains a path separator or is a relative path"),
        ("..", "contains a path separator or is a relative path"),
        ("a\x00b.csv", "contains control or invisible characters"),
        ("a\u200bb.csv", "contains control or invisible characters"),
        ("é" * 200, "is longer than 255 bytes"),
        ("Ward ŵ – O'Brien; x.csv", None),
    ],
)
def test_unsafe_name_reason(name: str, reason: str | None) -> None:
    assert unsafe_name_reason(name) == reason


def test_shown_escapes_and_cuts() -> None:
    assert shown("a\nb") == "a\\u000ab"
    assert len(shown("x" * 500)) == 120


def test_read_bytes_refuses_growth_and_swapped_in_links(tmp_path: Path) -> None:
    path = tmp_path / "f.csv"
    path.write_bytes(b"x" * 11)
    assert read_bytes(str(path), max_bytes=11) == b"x" * 11
    with pytest.raises(FileRejected) as caught:
        read_bytes(str(path), max_bytes=10)
    assert caught.value.rule == "file_too_large"
    link = tmp_path / "link.csv"
    link.symlink_to(path)
    with pytest.raises(OSError):
        read_bytes(str(link), max_bytes=100)
