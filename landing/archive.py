"""The immutable raw archive: every processed file's bytes, keyed by their SHA-256.

Layout `<archive_root>/sha256/<first two hex>/<sha256>`. Write-once: a file already present is
never rewritten (same key, same bytes), and a new one appears only complete (temporary name plus
rename). The hash is checked on the way in and out, so a backfill never reprocesses corrupt or
mislabelled bytes. Any fsspec URL works; local path by default.
"""

from __future__ import annotations

import hashlib
import re
from typing import Final

import fsspec

from mhsip.atomic import write_atomically

SHA256_HEX: Final = re.compile(r"^[0-9a-f]{64}$")


class ArchiveError(ValueError):
    """The archive was asked for a malformed key, or holds bytes that do not match it."""


def archive_path(archive_root: str, sha256: str) -> str:
    if not SHA256_HEX.fullmatch(sha256):
        raise ArchiveError(f"{sha256!r} is not a lower-case hex SHA-256")
    return f"{archive_root.rstrip('/')}/sha256/{sha256[:2]}/{sha256}"


def archive_file(archive_root: str, content: bytes, sha256: str) -> str:
    """Store `content` under its hash once; returns the archived path or URL."""
    target = archive_path(archive_root, sha256)
    if hashlib.sha256(content).hexdigest() != sha256:
        raise ArchiveError(f"content does not hash to {sha256}")
    fs, path = fsspec.core.url_to_fs(target)
    if fs.exists(path):
        return target
    write_atomically(fs, path, content)
    return target


def read_archived(archive_root: str, sha256: str) -> bytes:
    """The archived bytes of `sha256`; raises FileNotFoundError when absent, ArchiveError if
    the stored bytes no longer match their hash."""
    fs, path = fsspec.core.url_to_fs(archive_path(archive_root, sha256))
    content: bytes = fs.cat_file(path)
    if hashlib.sha256(content).hexdigest() != sha256:
        raise ArchiveError(f"archived file {sha256} does not match its hash")
    return content
