"""The immutable raw archive: every processed file's bytes, keyed by their SHA-256, encrypted.

Layout `<archive_root>/sha256/<first two hex>/<sha256>`; the SHA-256 is that of the original
bytes (it names the submission), never of what is stored. Each file is stored encrypted with
AES-256-GCM (`landing/archive_crypto.py`) under the current archive key, whose id is recorded in
the file's header, so a rotated-out key still reads the files written under it. Reads decrypt in
memory and check the hash, so a backfill never reprocesses corrupt, mislabelled or swapped bytes.

Write-once: a file already present is not rewritten, except a plaintext one written before
encryption, which is encrypted in place the next time its bytes pass through (`rekey` does all
of them at once). A new file appears only complete (temporary name plus rename). Any fsspec URL
works; local path by default.
"""

from __future__ import annotations

import hashlib
import re
from typing import Final

import fsspec

from landing.archive_crypto import decrypt, encrypt, is_encrypted, key_id_in
from landing.archive_errors import ArchiveError, ArchivePurgedError
from landing.archive_keys import Keyring, keyring_from_environment
from mhsip.atomic import write_atomically

SHA256_HEX: Final = re.compile(r"^[0-9a-f]{64}$")
__all__ = ["ArchiveError", "ArchivePurgedError", "archive_file", "archive_path", "read_archived"]


def archive_path(archive_root: str, sha256: str) -> str:
    if not SHA256_HEX.fullmatch(sha256):
        raise ArchiveError(f"{sha256!r} is not a lower-case hex SHA-256")
    return f"{archive_root.rstrip('/')}/sha256/{sha256[:2]}/{sha256}"


def tombstone_path(archive_root: str, sha256: str) -> str:
    """Where a purge records that the raw bytes of `sha256` are gone (no patient data)."""
    return archive_path(archive_root, sha256) + ".purged"


def archive_file(
    archive_root: str, content: bytes, sha256: str, keys: Keyring | None = None
) -> str:
    """Store `content` encrypted under its hash once; returns the archived path or URL.

    `keys` defaults to the archive keys of the environment (MHSIP_ARCHIVE_KEY ...).
    """
    target = archive_path(archive_root, sha256)
    if hashlib.sha256(content).hexdigest() != sha256:
        raise ArchiveError(f"content does not hash to {sha256}")
    fs, path = fsspec.core.url_to_fs(target)
    if fs.exists(path):
        with fs.open(path, "rb") as handle:
            if is_encrypted(handle.read(64)):
                return target
    keyring = keys or keyring_from_environment()  # new, or plaintext from before encryption
    write_atomically(fs, path, encrypt(content, sha256, keyring.current))
    return target


def read_archived(archive_root: str, sha256: str, keys: Keyring | None = None) -> bytes:
    """The original bytes of `sha256`, decrypted in memory.

    Raises `ArchivePurgedError` (a FileNotFoundError) when a purge removed them, FileNotFoundError
    when absent, ArchiveError when no configured key opens them or they do not match the hash.
    A plaintext file written before encryption is read as it is (and checked against its hash).
    """
    fs, path = fsspec.core.url_to_fs(archive_path(archive_root, sha256))
    try:
        stored: bytes = fs.cat_file(path)
    except FileNotFoundError:
        if fs.exists(path + ".purged"):
            raise ArchivePurgedError(sha256, fs.cat_file(path + ".purged").decode()) from None
        raise
    if is_encrypted(stored):
        content = decrypt(stored, sha256, keys or keyring_from_environment())
    else:
        content = stored
    if hashlib.sha256(content).hexdigest() != sha256:
        raise ArchiveError(f"archived file {sha256} does not match its hash")
    return content


def stored_key_id(archive_root: str, sha256: str) -> str | None:
    """The id of the key a file is encrypted under; None for a plaintext (pre-encryption) file."""
    fs, path = fsspec.core.url_to_fs(archive_path(archive_root, sha256))
    with fs.open(path, "rb") as handle:
        return key_id_in(handle.read(512))


def rekey(archive_root: str, keys: Keyring | None = None) -> dict[str, int]:
    """Re-encrypt under the current key every file that is plaintext or under a previous key
    (after a rotation, so the previous key can be retired). Counts by what was done."""
    keyring = keys or keyring_from_environment()
    fs, root = fsspec.core.url_to_fs(f"{archive_root.rstrip('/')}/sha256")
    counts = {"already_current": 0, "encrypted": 0, "re_encrypted": 0}
    if not fs.exists(root):
        return counts
    for path in sorted(fs.find(root)):
        sha256 = path.rsplit("/", 1)[-1]
        if not SHA256_HEX.fullmatch(sha256):
            continue
        stored = fs.cat_file(path)
        key_id = key_id_in(stored) if is_encrypted(stored) else None
        if key_id == keyring.current.key_id:
            counts["already_current"] += 1
            continue
        content = decrypt(stored, sha256, keyring) if key_id else stored
        if hashlib.sha256(content).hexdigest() != sha256:
            raise ArchiveError(f"archived file {sha256} does not match its hash; left as it is")
        write_atomically(fs, path, encrypt(content, sha256, keyring.current))
        counts["re_encrypted" if key_id else "encrypted"] += 1
    return counts


def purged_on(archive_root: str, sha256: str) -> str | None:
    """When a purge removed the raw bytes of `sha256` (its tombstone), or None."""
    fs, path = fsspec.core.url_to_fs(tombstone_path(archive_root, sha256))
    return fs.cat_file(path).decode().strip() if fs.exists(path) else None


def purge(archive_root: str, sha256: str, when: str) -> bool:
    """Remove the raw bytes of `sha256`, leaving a tombstone (the date: no patient data).
    Returns False when there was nothing to remove."""
    fs, path = fsspec.core.url_to_fs(archive_path(archive_root, sha256))
    if not fs.exists(path):
        return False
    write_atomically(fs, path + ".purged", when.encode())
    fs.rm_file(path)
    return True
