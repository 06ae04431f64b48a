"""Put one collected file where it belongs: raw archive first, then the landing zone.

The caller acknowledges the message (or moves the remote file) only after `deliver` returns,
so a crash in between redelivers the same bytes: the archive keeps one copy per SHA-256 and the
landing file is rewritten with identical bytes, so nothing is duplicated. A file that cannot be
placed goes to `<landing>/_unsorted/<source>/<item>/` with a `problem.json` beside it (the scan
ignores folders starting with "_"); `unsorted_problems` lists them for status and the report.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import asdict, dataclass
from datetime import UTC, datetime

import fsspec

from landing.archive import archive_file
from landing.collect.routing import Destination, Unroutable
from mhsip.atomic import write_atomically

UNSORTED = "_unsorted"
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]")


@dataclass(frozen=True)
class CollectProblem:
    """A collected item that did not land, with what identifies it at its source."""

    source: str
    item: str  # the MESH message id, or the file's path on the remote source
    rule: str
    detail: str


@dataclass(frozen=True)
class Delivered:
    source: str
    item: str
    path: str  # where it landed (or, when unsorted, where it is kept)
    sha256: str
    size_bytes: int
    problem: CollectProblem | None = None


def safe_part(text: str) -> str:
    cleaned = _UNSAFE.sub("_", text).strip("._") or "item"
    return cleaned[:100]


def deliver(
    content: bytes,
    where: Destination | Unroutable,
    *,
    source: str,
    item: str,
    landing_url: str,
    archive_url: str,
    received_name: str,
) -> Delivered:
    sha256 = hashlib.sha256(content).hexdigest()
    archive_file(archive_url, content, sha256)
    fs, root = fsspec.core.url_to_fs(landing_url)
    root = root.rstrip("/")
    if isinstance(where, Destination):
        target = f"{root}/{where.relative_path}"
        _write_once(fs, target, content)
        return Delivered(source, item, fs.unstrip_protocol(target), sha256, len(content))
    problem = CollectProblem(source, item, where.rule, where.detail)
    folder = f"{root}/{UNSORTED}/{safe_part(source)}/{safe_part(item)}"
    _write_once(fs, f"{folder}/{safe_part(received_name)}", content)
    record = asdict(problem) | {
        "file_name": received_name,
        "sha256": sha256,
        "size_bytes": len(content),
        "kept_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    write_atomically(fs, f"{folder}/problem.json", json.dumps(record, indent=2).encode())
    return Delivered(source, item, fs.unstrip_protocol(folder), sha256, len(content), problem)


def _write_once(fs: fsspec.AbstractFileSystem, path: str, content: bytes) -> None:
    """Atomically write `path` unless it already holds exactly these bytes (a redelivery)."""
    if fs.exists(path) and fs.size(path) == len(content) and fs.cat_file(path) == content:
        return
    write_atomically(fs, path, content)


def unsorted_problems(landing_url: str) -> list[dict]:
    """Every item kept in the unsorted area, oldest first, as recorded in its problem.json."""
    fs, root = fsspec.core.url_to_fs(landing_url)
    pattern = f"{root.rstrip('/')}/{UNSORTED}/*/*/problem.json"
    found = []
    for path in sorted(fs.glob(pattern)):
        try:
            found.append(json.loads(fs.cat_file(path)))
        except (OSError, ValueError):
            continue
    return sorted(found, key=lambda r: str(r.get("kept_at", "")))
