"""The raw archive at rest: AES-256-GCM under a key whose id is stored with each file."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from landing.archive import archive_file, read_archived, rekey, stored_key_id
from landing.archive_errors import ArchiveError
from landing.archive_keys import (
    DEMO_KEY_ID,
    Keyring,
    MissingArchiveKeyError,
    keyring_from,
    new_key_text,
    parse_key,
)

NHS_NUMBER = b"4857773456"
CONTENT = b"nhs_number,local_id,date_of_birth\n" + NHS_NUMBER + b",L0001,1990-02-03\n"
SHA = hashlib.sha256(CONTENT).hexdigest()
OLD, NEW = new_key_text(), new_key_text()


def test_stored_bytes_are_ciphertext_named_by_the_hash_of_the_original(tmp_path: Path) -> None:
    keys = keyring_from(OLD, None, demo_mode=False)
    path = Path(archive_file(str(tmp_path), CONTENT, SHA, keys))
    stored = path.read_bytes()
    assert path.name == SHA
    for needle in (NHS_NUMBER, b"L0001", b"1990-02-03", b"nhs_number"):
        assert needle not in stored
    assert stored_key_id(str(tmp_path), SHA) == keys.current.key_id
    assert OLD.encode() not in stored and keys.current.secret not in stored
    assert read_archived(str(tmp_path), SHA, keys) == CONTENT


def test_a_rotated_key_still_reads_older_files_by_their_key_id(tmp_path: Path) -> None:
    root = str(tmp_path)
    archive_file(root, CONTENT, SHA, keyring_from(OLD, None, False))
    newer = b"second file\n"
    newer_sha = hashlib.sha256(newer).hexdigest()
    rotated = keyring_from(NEW, OLD, False)
    archive_file(root, newer, newer_sha, rotated)
    assert stored_key_id(root, SHA) == parse_key(OLD).key_id
    assert stored_key_id(root, newer_sha) == parse_key(NEW).key_id
    assert read_archived(root, SHA, rotated) == CONTENT
    assert read_archived(root, newer_sha, rotated) == newer
    # Once every file is re-encrypted under the new key, the old one can be retired.
    assert rekey(root, rotated) == {"already_current": 1, "encrypted": 0, "re_encrypted": 1}
    assert read_archived(root, SHA, keyring_from(NEW, None, False)) == CONTENT


def test_a_wrong_key_fails_with_a_clear_message_and_changes_nothing(tmp_path: Path) -> None:
    root = str(tmp_path)
    path = Path(archive_file(root, CONTENT, SHA, keyring_from(OLD, None, False)))
    before = path.read_bytes()
    with pytest.raises(ArchiveError, match=r"encrypted under archive key [0-9a-f]{16}, which is "
                       r"not configured"):  # fmt: skip
        read_archived(root, SHA, keyring_from(NEW, None, False))
    # A different key under the same id (an edited header or a mix-up) fails authentication.
    impostor = Keyring(type(parse_key(NEW))(parse_key(OLD).key_id, parse_key(NEW).secret))
    with pytest.raises(ArchiveError, match="failed authentication"):
        read_archived(root, SHA, impostor)
    assert path.read_bytes() == before


def test_bytes_moved_to_another_files_name_do_not_decrypt(tmp_path: Path) -> None:
    keys = keyring_from(OLD, None, False)
    other = b"other\n"
    other_sha = hashlib.sha256(other).hexdigest()
    first = Path(archive_file(str(tmp_path), CONTENT, SHA, keys))
    second = Path(archive_file(str(tmp_path), other, other_sha, keys))
    second.write_bytes(first.read_bytes())
    with pytest.raises(ArchiveError, match="failed authentication"):
        read_archived(str(tmp_path), other_sha, keys)


def test_plaintext_from_before_encryption_is_read_then_encrypted_in_place(tmp_path: Path) -> None:
    keys = keyring_from(OLD, None, False)
    legacy = tmp_path / "sha256" / SHA[:2] / SHA
    legacy.parent.mkdir(parents=True)
    legacy.write_bytes(CONTENT)  # what the archive held before it was encrypted
    assert stored_key_id(str(tmp_path), SHA) is None
    assert read_archived(str(tmp_path), SHA, keys) == CONTENT
    archive_file(str(tmp_path), CONTENT, SHA, keys)  # the next time its bytes pass through
    assert NHS_NUMBER not in legacy.read_bytes()
    assert read_archived(str(tmp_path), SHA, keys) == CONTENT
    legacy_too = b"older plaintext\n"
    sha_too = hashlib.sha256(legacy_too).hexdigest()
    (tmp_path / "sha256" / sha_too[:2]).mkdir(exist_ok=True)
    (tmp_path / "sha256" / sha_too[:2] / sha_too).write_bytes(legacy_too)
    assert rekey(str(tmp_path), keys) == {"already_current": 1, "encrypted": 1, "re_encrypted": 0}


def test_keys_are_32_bytes_of_base64_the_demo_key_is_marked(monkeypatch) -> None:
    with pytest.raises(MissingArchiveKeyError, match="no archive key"):
        keyring_from(None, None, demo_mode=False)
    with pytest.raises(MissingArchiveKeyError, match="not an archive key") as info:
        keyring_from("short-secret-text", None, demo_mode=False)
    assert "short-secret-text" not in str(info.value)
    assert keyring_from(None, None, demo_mode=True).current.key_id == DEMO_KEY_ID
    urlsafe = new_key_text().replace("+", "-").replace("/", "_").rstrip("=")
    assert len(parse_key(urlsafe).secret) == 32
    keys = keyring_from(OLD, None, False)
    assert "secret=" not in repr(keys) and repr(keys.current.secret) not in repr(keys)
