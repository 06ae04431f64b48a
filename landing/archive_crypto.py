"""How one archived file is stored: AES-256-GCM, with the key's id in a plain header.

    MAGIC (16 bytes) | key id length (1 byte) | key id (ASCII) | nonce (12 bytes) | ciphertext+tag

The authenticated data is the header plus the file's SHA-256, so bytes moved to another file's
name, or a header edited to another key id, fail to decrypt rather than decrypting to the wrong
file. A fresh random nonce per encryption (never reused under a key: 2^-32 collision risk only
after billions of files).
"""

from __future__ import annotations

import os
from typing import Final

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from landing.archive_errors import ArchiveError
from landing.archive_keys import ArchiveKey, Keyring

MAGIC: Final = b"MHSIP-AESGCM-v1\n"
NONCE_BYTES: Final = 12


def is_encrypted(stored: bytes) -> bool:
    return stored.startswith(MAGIC)


def _header(key_id: str) -> bytes:
    raw = key_id.encode("ascii")
    return MAGIC + bytes([len(raw)]) + raw


def key_id_in(stored: bytes) -> str | None:
    """The key id in an encrypted file's header; None when the bytes are not encrypted."""
    if not is_encrypted(stored) or len(stored) <= len(MAGIC):
        return None
    length = stored[len(MAGIC)]
    return stored[len(MAGIC) + 1 : len(MAGIC) + 1 + length].decode("ascii", errors="replace")


def encrypt(content: bytes, sha256: str, key: ArchiveKey) -> bytes:
    header = _header(key.key_id)
    nonce = os.urandom(NONCE_BYTES)
    sealed = AESGCM(key.secret).encrypt(nonce, content, header + sha256.encode())
    return header + nonce + sealed


def decrypt(stored: bytes, sha256: str, keys: Keyring) -> bytes:
    """The original bytes; ArchiveError naming the key id when no configured key opens them."""
    key_id = key_id_in(stored)
    if key_id is None:
        raise ArchiveError(f"archived file {sha256[:12]} is not an encrypted archive file")
    key = keys.find(key_id)
    if key is None:
        raise ArchiveError(
            f"archived file {sha256[:12]} is encrypted under archive key {key_id}, which is not "
            f"configured (MHSIP_ARCHIVE_KEY / MHSIP_ARCHIVE_PREVIOUS_KEYS hold {keys.key_ids})"
        )
    start = len(_header(key_id))
    nonce, sealed = stored[start : start + NONCE_BYTES], stored[start + NONCE_BYTES :]
    try:
        return AESGCM(key.secret).decrypt(nonce, sealed, _header(key_id) + sha256.encode())
    except InvalidTag:
        raise ArchiveError(
            f"archived file {sha256[:12]} failed authentication under archive key {key_id}: "
            "the wrong key under that id, or the stored bytes were altered; nothing was changed"
        ) from None
