"""Whether the DuckDB copies BI and operators read already hold the live warehouse.

A nightly with nothing new used to write the BI copy and the operators' full copy again every
night, byte for byte what they already held (0.9 s of a 3.2 s nothing-new nightly on five years
of the collaborative's data). After each publish the store records, in `<live file>.published.json`,
what the copies were made from:
- the live file's identity after its CHECKPOINT (inode, size, modification time in ns): every
  write to the warehouse changes it, and so does a restore that replaces the file;
- each copy's identity, as published: a copy removed, replaced or edited by hand changes it;
- a digest of the BI copy's statements (tables, comments, views) and the DuckDB version, so a
  release that changes what the BI copy holds writes it again.
When all of these equal the record at the next publish, the copies are left as they are. The
record is written last, after both copies are renamed into place, so a run stopped while
publishing leaves a record that no longer matches, and the next publish writes them again.
The record holds paths and file sizes only.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

import duckdb


def _identity(path: Path) -> list[int] | None:
    """(inode, size, mtime_ns), not the change time: `secure_home` chmods the copies after each
    publish, which changes ctime and nothing they hold."""
    try:
        found = path.stat()
    except FileNotFoundError:
        return None
    return [found.st_ino, found.st_size, found.st_mtime_ns]


@dataclass(frozen=True)
class PublishRecord:
    live: Path
    copies: tuple[Path, ...]
    schema_digest: str

    @property
    def path(self) -> Path:
        return self.live.with_name(f"{self.live.name}.published.json")

    def _state(self) -> dict[str, object]:
        return {
            "live": _identity(self.live),
            "copies": {str(copy): _identity(copy) for copy in self.copies},
            "schema": self.schema_digest,
            "duckdb": duckdb.__version__,
        }

    def holds(self) -> bool:
        """True when every copy exists and nothing it was made from has changed since."""
        if any(_identity(copy) is None for copy in self.copies):
            return False
        try:
            saved = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):  # none yet, or a half-written one: publish again
            return False
        return bool(saved == self._state())

    def save(self) -> None:
        """Record the copies just published (written beside the record and renamed into place)."""
        temporary = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
        temporary.write_text(json.dumps(self._state(), indent=1), encoding="utf-8")
        temporary.replace(self.path)
