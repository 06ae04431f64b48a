"""Find submissions in the landing zone: `<landing>/<ODS>/<YYYY-MM>/<files>` (DESIGN 3.1).

Read through fsspec, so `file://` (default), `s3://`, `sftp://` work without code changes when the
backend is installed. Discovery only names files and hashes them; it never parses content.
"""

from __future__ import annotations

import fnmatch
import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

import fsspec

from transforms.canonical import DATASETS, Dataset, short_name
from transforms.trust_config import Registry

MONTH_FOLDER = re.compile(r"^(\d{4})-(\d{2})$")


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
    match = MONTH_FOLDER.match(text)
    if not match or not 1 <= int(match.group(2)) <= 12:
        return None
    return date(int(match.group(1)), int(match.group(2)), 1)


def _children(fs: fsspec.AbstractFileSystem, path: str) -> list[dict]:
    return sorted(fs.ls(path, detail=True), key=lambda e: str(e["name"]))


def _base(name: str) -> str:
    return name.rstrip("/").rsplit("/", 1)[-1]


def scan_landing(
    landing_url: str,
    registry: Registry,
    trusts: Iterable[str] | None = None,
    months: tuple[date, date] | None = None,
) -> tuple[list[SubmissionFile], list[LandingProblem]]:
    """List every recognisable submission file, hashed, plus the problems found on the way.

    Folders and files whose names start with "_" or "." are ignored (generator manifests,
    reference tables, hidden files).
    """
    fs, root = fsspec.core.url_to_fs(landing_url)
    wanted = set(trusts) if trusts else None
    files: list[SubmissionFile] = []
    problems: list[LandingProblem] = []
    if not fs.exists(root):
        return files, [LandingProblem(landing_url, "landing_missing", "landing zone not found")]
    for trust_entry in _children(fs, root):
        trust_code = _base(trust_entry["name"])
        if trust_code.startswith(("_", ".")) or trust_entry["type"] != "directory":
            continue
        if trust_code not in registry.trusts:
            problems.append(LandingProblem(
                trust_entry["name"], "unknown_trust_folder",
                f"folder '{trust_code}' is not an ODS code in config/trusts; files left unread",
            ))  # fmt: skip
            continue
        if wanted is not None and trust_code not in wanted:
            continue
        for month_entry in _children(fs, trust_entry["name"]):
            label = _base(month_entry["name"])
            if label.startswith(("_", ".")) or month_entry["type"] != "directory":
                continue
            month = parse_month(label)
            if month is None:
                problems.append(LandingProblem(
                    month_entry["name"], "bad_month_folder",
                    f"{trust_code}: folder '{label}' is not a YYYY-MM month; files left unread",
                ))  # fmt: skip
                continue
            if months is not None and not months[0] <= month <= months[1]:
                continue
            found, trouble = _month_files(fs, registry, trust_code, month, month_entry["name"])
            files.extend(found)
            problems.extend(trouble)
    return files, problems


def _month_files(
    fs: fsspec.AbstractFileSystem, registry: Registry, trust_code: str, month: date, folder: str
) -> tuple[list[SubmissionFile], list[LandingProblem]]:
    trust = registry.trust(trust_code)
    matches: dict[Dataset, list[dict]] = {d: [] for d in DATASETS}
    problems: list[LandingProblem] = []
    for entry in _children(fs, folder):
        name = _base(entry["name"])
        if name.startswith(("_", ".")) or entry["type"] != "file":
            continue
        hit = [
            d for d in DATASETS
            if fnmatch.fnmatch(name.lower(), trust.files.for_dataset(d).lower())
        ]  # fmt: skip
        if len(hit) != 1:
            problems.append(LandingProblem(
                entry["name"], "unrecognised_file",
                f"{trust_code} {month:%Y-%m}: '{name}' matches "
                + ("no dataset file pattern" if not hit else "both dataset file patterns"),
            ))  # fmt: skip
            continue
        matches[hit[0]].append(entry)
    files = []
    for dataset, entries in matches.items():
        if len(entries) > 1:
            names = ", ".join(_base(e["name"]) for e in entries)
            problems.append(LandingProblem(
                folder, "ambiguous_files",
                f"{trust_code} {month:%Y-%m}: several {dataset} files ({names}); none loaded",
            ))  # fmt: skip
            continue
        for entry in entries:
            content = fs.cat_file(entry["name"])
            files.append(SubmissionFile(
                trust_code, month, dataset, fs.unstrip_protocol(entry["name"]),
                _base(entry["name"]), hashlib.sha256(content).hexdigest(), len(content),
            ))  # fmt: skip
    return files, problems


def read_bytes(url: str) -> bytes:
    with fsspec.open(url, "rb") as handle:
        return handle.read()
