"""Find submissions in the landing zone: `<landing>/<ODS>/<YYYY-MM>/<files>` (design.md §3.1).

Read through fsspec, so `file://` (default), `s3://`, `sftp://` work without code changes when the
backend is installed. Discovery only names files and hashes them; it never parses content.

The landing zone is written by others, so nothing found there is trusted (docs/reliability.md):
- symbolic links are never followed (a link could point at any file on the server); each one is
  reported, as `symlink_outside_landing` when its target is outside the landing zone;
- a folder or file name with a path separator or a control or invisible character is reported as
  `unsafe_file_name` and not read (such names forge log lines or escape folders later on);
- a file over MHSIP_MAX_FILE_BYTES is reported as `file_too_large` from its listed size, before a
  byte of it is read, and hashing streams in chunks, so memory stays bounded;
- an unknown trust folder or a folder that is not a real YYYY-MM month is reported and skipped.
Names quoted in a problem are shown with non-printable characters escaped.
"""

from __future__ import annotations

import fnmatch
import hashlib
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Final

import fsspec

from transforms.canonical import DATASETS, Dataset, short_name
from transforms.trust_config import Registry

MONTH_FOLDER = re.compile(r"^(\d{4})-(\d{2})$")
_UNSAFE_CATEGORIES: Final = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})
_MAX_NAME_BYTES: Final = 255
_HASH_CHUNK: Final = 1 << 20
_SHOWN_CHARS: Final = 120


@dataclass(frozen=True)
class SubmissionFile:
    """One received file version: a trust's dataset for one reporting month."""

    trust_code: str
    reporting_month: date
    dataset: Dataset
    url: str
    file_name: str
    sha256: str
    size_bytes: int

    @property
    def submission_id(self) -> str:
        return submission_id(self.trust_code, self.reporting_month, self.dataset, self.sha256)

    @property
    def month_label(self) -> str:
        return self.reporting_month.strftime("%Y-%m")


@dataclass(frozen=True)
class LandingProblem:
    """Something in the landing zone that cannot become a submission, and why."""

    path: str
    rule: str
    detail: str


def submission_id(trust_code: str, month: date, dataset: Dataset, sha256: str) -> str:
    """Deterministic: the same bytes for the same trust-month always get the same id."""
    return f"{trust_code}-{month:%Y-%m}-{short_name(dataset)}-{sha256[:12]}"


def parse_month(text: str) -> date | None:
    match = MONTH_FOLDER.fullmatch(text)
    if not match or not 1 <= int(match.group(2)) <= 12:
        return None
    return date(int(match.group(1)), int(match.group(2)), 1)


def shown(name: str) -> str:
    """A name safe to print or log: non-printable characters escaped, long names cut."""
    text = "".join(c if c.isprintable() else f"\\u{ord(c):04x}" for c in name)
    return text if len(text) <= _SHOWN_CHARS else text[: _SHOWN_CHARS - 3] + "..."


def unsafe_name_reason(name: str) -> str | None:
    """Why a folder or file name must not be used, or None when it is safe to read."""
    if "/" in name or "\\" in name or name in {".", ".."}:
        return "contains a path separator or is a relative path"
    if any(unicodedata.category(c) in _UNSAFE_CATEGORIES for c in name):
        return "contains control or invisible characters"
    if len(name.encode("utf-8", "surrogatepass")) > _MAX_NAME_BYTES:
        return f"is longer than {_MAX_NAME_BYTES} bytes"
    return None


def _children(fs: fsspec.AbstractFileSystem, path: str) -> list[dict]:
    return sorted(fs.ls(path, detail=True), key=lambda e: str(e["name"]))


def base_name(name: str) -> str:
    return name.rstrip("/").rsplit("/", 1)[-1]


def default_max_file_bytes() -> int:
    from flows.settings import Settings

    return Settings().max_file_bytes


class _Scan:
    """One pass over the landing zone; collects problems as it goes."""

    def __init__(self, landing_url: str, registry: Registry, max_file_bytes: int) -> None:
        self.fs, self.root = fsspec.core.url_to_fs(landing_url)
        self.registry = registry
        self.max_file_bytes = max_file_bytes
        self.problems: list[LandingProblem] = []
        self.local = "file" in self.fs.protocol
        self.root_path = Path(self.root).resolve() if self.local else Path(self.root)

    def report(self, path: str, rule: str, detail: str) -> None:
        self.problems.append(LandingProblem(shown(path), rule, detail))

    def usable(self, entry: dict, kind: str, where: str) -> bool:
        """Whether an entry is a real `kind` ("directory"/"file") safe to descend into or read."""
        name = base_name(entry["name"])
        if name.startswith(("_", ".")):
            return False
        if entry.get("islink"):
            target = Path(entry["name"]).resolve() if self.local else None
            inside = (
                target is not None and target.exists() and target.is_relative_to(self.root_path)
            )
            rule = "symlink_not_followed" if inside else "symlink_outside_landing"
            whither = "another place in" if inside else "outside"
            self.report(entry["name"], rule, (
                f"{where}'{shown(name)}' is a symbolic link to {whither} the landing zone; "
                "links are never followed, so it was not read. Put the real file or folder there"
            ))  # fmt: skip
            return False
        reason = unsafe_name_reason(name)
        if reason:
            self.report(entry["name"], "unsafe_file_name", (
                f"{where}name '{shown(name)}' {reason}; not read. Rename it with letters, "
                "digits, spaces, '-', '_' and '.' only"
            ))  # fmt: skip
            return False
        if entry["type"] == kind:
            return True
        self.report(entry["name"], *_not_read(entry, kind, where, name))
        return False


def _not_read(entry: dict, kind: str, where: str, name: str) -> tuple[str, str]:
    """(rule, detail) for an entry of the wrong kind at its level: every entry the scan does
    not read is reported, so nothing is skipped without a word."""
    shown_name = shown(name)
    if entry["type"] not in ("file", "directory"):
        return "not_a_regular_file", (
            f"{where}'{shown_name}' is not a regular file (a pipe, socket or device); not read. "
            "Put the extract itself there"
        )
    if kind == "file":
        return "subfolder_in_month_folder", (
            f"{where}'{shown_name}' is a folder inside a month folder; its files were not read. "
            "Put the month's files directly in the month folder"
        )
    return "file_outside_month_folder", (
        f"{where}'{shown_name}' is a file outside a month folder; not read. Put it in the "
        "<ODS code>/<YYYY-MM> folder of its reporting month"
    )


def scan_landing(
    landing_url: str,
    registry: Registry,
    trusts: Iterable[str] | None = None,
    months: tuple[date, date] | None = None,
    *,
    max_file_bytes: int | None = None,
) -> tuple[list[SubmissionFile], list[LandingProblem]]:
    """List every recognisable submission file, hashed, plus the problems found on the way.

    Folders and files whose names start with "_" or "." are ignored (generator manifests,
    reference tables, hidden files). `max_file_bytes` defaults to MHSIP_MAX_FILE_BYTES.
    """
    scan = _Scan(landing_url, registry, max_file_bytes or default_max_file_bytes())
    wanted = set(trusts) if trusts else None
    files: list[SubmissionFile] = []
    if not scan.fs.exists(scan.root):
        return files, [LandingProblem(landing_url, "landing_missing", "landing zone not found")]
    for trust_entry in _children(scan.fs, scan.root):
        if not scan.usable(trust_entry, "directory", ""):
            continue
        trust_code = base_name(trust_entry["name"])
        if trust_code not in registry.trusts:
            scan.report(trust_entry["name"], "unknown_trust_folder", (
                f"folder '{shown(trust_code)}' is not an ODS code in config/trusts; "
                "files left unread"
            ))  # fmt: skip
            continue
        if wanted is not None and trust_code not in wanted:
            continue
        for month_entry in _children(scan.fs, trust_entry["name"]):
            if not scan.usable(month_entry, "directory", f"{trust_code}: "):
                continue
            label = base_name(month_entry["name"])
            month = parse_month(label)
            if month is None:
                scan.report(month_entry["name"], "bad_month_folder", (
                    f"{trust_code}: folder '{shown(label)}' is not a YYYY-MM month; "
                    "files left unread"
                ))  # fmt: skip
                continue
            if months is not None and not months[0] <= month <= months[1]:
                continue
            files.extend(_month_files(scan, trust_code, month, month_entry["name"]))
    return files, scan.problems


def _month_files(scan: _Scan, trust_code: str, month: date, folder: str) -> list[SubmissionFile]:
    trust = scan.registry.trust(trust_code)
    where = f"{trust_code} {month:%Y-%m}: "
    matches: dict[Dataset, list[dict]] = {d: [] for d in DATASETS}
    for entry in _children(scan.fs, folder):
        if not scan.usable(entry, "file", where):
            continue
        name = base_name(entry["name"])
        hit = [
            d for d in DATASETS
            if fnmatch.fnmatch(name.lower(), trust.files.for_dataset(d).lower())
        ]  # fmt: skip
        if len(hit) != 1:
            scan.report(entry["name"], "unrecognised_file", (
                f"{where}'{shown(name)}' matches "
                + ("no dataset file pattern" if not hit else "both dataset file patterns")
            ))  # fmt: skip
            continue
        if int(entry.get("size") or 0) > scan.max_file_bytes:
            scan.report(entry["name"], "file_too_large", (
                f"{where}'{shown(name)}' is {int(entry['size']):,} bytes, over the limit of "
                f"{scan.max_file_bytes:,} (MHSIP_MAX_FILE_BYTES); not read. Send the month's "
                "extract only, or ask us to raise the limit"
            ))  # fmt: skip
            continue
        matches[hit[0]].append(entry)
    files = []
    for dataset, entries in matches.items():
        if len(entries) > 1:
            names = ", ".join(shown(base_name(e["name"])) for e in entries)
            scan.report(
                folder, "ambiguous_files", f"{where}several {dataset} files ({names}); none loaded"
            )
            continue
        for entry in entries:
            sha256, size = _hash(scan.fs, entry["name"])
            files.append(SubmissionFile(
                trust_code, month, dataset, scan.fs.unstrip_protocol(entry["name"]),
                base_name(entry["name"]), sha256, size,
            ))  # fmt: skip
    return files


def _hash(fs: fsspec.AbstractFileSystem, path: str) -> tuple[str, int]:
    """SHA-256 and size, streamed in chunks so memory does not grow with the file."""
    digest, size = hashlib.sha256(), 0
    with fs.open(path, "rb") as handle:
        while chunk := handle.read(_HASH_CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size
