"""Stages 1-2 for one file: its bytes, from the landing zone (nightly) or the raw archive
(backfill), archived by SHA-256 before anything reads them.

The bytes processed are what counts: a file may have changed since the landing scan hashed it,
so it is hashed again here and its `SubmissionFile` carries the new hash.
"""

from __future__ import annotations

import errno
import hashlib
import os
from dataclasses import replace

import fsspec

from landing.archive import archive_file, read_archived
from landing.archive_keys import Keyring
from landing.scan import SubmissionFile, base_name, default_max_file_bytes, shown
from mhsip.failpoints import failpoint
from transforms.errors import FileRejected


def fetch(
    file: SubmissionFile,
    archive_url: str,
    from_archive: bool,
    max_bytes: int,
    keys: Keyring | None = None,
) -> tuple[SubmissionFile, bytes]:
    """The file as processed and its bytes, now in the archive.

    Raises `FileRejected` for a file that grew past the size limit or became a symbolic link
    since discovery; any other `OSError` is transient I/O (the partition fails and the next run
    retries it).
    """
    try:
        if from_archive:
            content = read_archived(archive_url, file.sha256, keys)
        else:
            content = read_bytes(file.url, max_bytes=max_bytes)
    except OSError as exc:
        if exc.errno != errno.ELOOP:
            raise
        reason = f"{file.file_name} became a symbolic link after discovery; links are not followed"
        raise FileRejected("symlink_not_followed", reason) from None
    file = _rehash(file, content)
    archive_file(archive_url, content, file.sha256, keys)
    failpoint("after_archive")
    return file, content


def _rehash(file: SubmissionFile, content: bytes) -> SubmissionFile:
    sha = hashlib.sha256(content).hexdigest()
    return file if sha == file.sha256 else replace(file, sha256=sha, size_bytes=len(content))


def read_bytes(url: str, max_bytes: int | None = None) -> bytes:
    """The file's bytes; refuses (`file_too_large`) one that grew past the limit since discovery.

    `max_bytes` defaults to MHSIP_MAX_FILE_BYTES. At most one byte more than the limit is read.
    """
    limit = max_bytes or default_max_file_bytes()
    fs, path = fsspec.core.url_to_fs(url)
    if "file" in fs.protocol:  # never follow a link swapped in since discovery
        with os.fdopen(os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0)), "rb") as fh:
            content = fh.read(limit + 1)
    else:
        with fs.open(path, "rb") as handle:
            content = handle.read(limit + 1)
    if len(content) > limit:
        raise FileRejected(
            "file_too_large",
            f"{shown(base_name(url))} is over the limit of {limit:,} bytes (MHSIP_MAX_FILE_BYTES); "
            "not read",
        )
    return bytes(content)
