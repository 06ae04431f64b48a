"""The keys the raw archive is encrypted under (AES-256-GCM), and their ids.

A key is 32 random bytes written as base64 (`mhsip archive new-key` prints one). Its id is a
hash of the key (never the key): every archived file records the id of the key it was encrypted
under, so after a rotation the previous keys still read older files. The current key
(`MHSIP_ARCHIVE_KEY`) encrypts; the previous ones (`MHSIP_ARCHIVE_PREVIOUS_KEYS`, comma-separated)
only decrypt. Demo mode uses a marked demo key, for synthetic data only.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
import secrets
from dataclasses import dataclass, field

# Marked so nobody mistakes it for a secret: it only encrypts the demo's synthetic files.
DEMO_ARCHIVE_KEY_TEXT = "mhsip-DEMO-ONLY-archive-key-never-use-with-real-data"
DEMO_KEY_ID = "DEMO-ONLY"
KEY_BYTES = 32


class MissingArchiveKeyError(RuntimeError):
    """A real run has no archive key, or one that is not 32 bytes of base64."""


@dataclass(frozen=True)
class ArchiveKey:
    key_id: str
    secret: bytes = field(repr=False)


@dataclass(frozen=True)
class Keyring:
    """The current key (encrypts) and the previous ones (decrypt only), by id."""

    current: ArchiveKey
    previous: tuple[ArchiveKey, ...] = ()

    def find(self, key_id: str) -> ArchiveKey | None:
        return next((k for k in (self.current, *self.previous) if k.key_id == key_id), None)

    @property
    def key_ids(self) -> list[str]:
        return [k.key_id for k in (self.current, *self.previous)]


def key_id_of(secret: bytes) -> str:
    """A public name for a key: 16 hex digits of a hash of it (safe to log and store)."""
    return hashlib.sha256(b"mhsip archive key id\0" + secret).hexdigest()[:16]


def parse_key(text: str, name: str = "MHSIP_ARCHIVE_KEY") -> ArchiveKey:
    """A key from its base64 text; refuses anything but 32 bytes (never quoting the text)."""
    try:
        secret = base64.b64decode(text.strip() + "=" * (-len(text.strip()) % 4), altchars=b"-_")
    except (binascii.Error, ValueError):
        secret = b""
    if len(secret) != KEY_BYTES:
        raise MissingArchiveKeyError(
            f"{name} is not an archive key: expected 32 random bytes as base64 "
            "(`mhsip archive new-key` prints one)"
        )
    return ArchiveKey(key_id_of(secret), secret)


def demo_key() -> ArchiveKey:
    return ArchiveKey(DEMO_KEY_ID, hashlib.sha256(DEMO_ARCHIVE_KEY_TEXT.encode()).digest())


def keyring_from(current: str | None, previous: str | None, demo_mode: bool) -> Keyring:
    """The keyring from the settings' text; refuses a real run without a key."""
    older = tuple(
        parse_key(part, "MHSIP_ARCHIVE_PREVIOUS_KEYS")
        for part in (previous or "").split(",")
        if part.strip()
    )
    if current:
        return Keyring(parse_key(current), older)
    if demo_mode:
        return Keyring(demo_key(), older)
    raise MissingArchiveKeyError(
        "no archive key: set MHSIP_ARCHIVE_KEY (or MHSIP_DEMO_MODE=true for synthetic demo data "
        "only)"
    )


def keyring_from_environment() -> Keyring:
    """The keyring from MHSIP_ARCHIVE_KEY, MHSIP_ARCHIVE_PREVIOUS_KEYS and MHSIP_DEMO_MODE."""
    demo = os.environ.get("MHSIP_DEMO_MODE", "").strip().lower() in {"1", "true", "yes", "on"}
    return keyring_from(
        os.environ.get("MHSIP_ARCHIVE_KEY"), os.environ.get("MHSIP_ARCHIVE_PREVIOUS_KEYS"), demo
    )


def new_key_text() -> str:
    """A fresh random key, as MHSIP_ARCHIVE_KEY expects it."""
    return base64.b64encode(secrets.token_bytes(KEY_BYTES)).decode()
