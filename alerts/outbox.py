"""Digests not yet delivered, kept under MHSIP_HOME/alerts/outbox (owner-only) and retried at
the start of the next delivery; and which late submissions were already announced."""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Callable
from pathlib import Path

MAX_ATTEMPTS = 30  # a message still undeliverable after a month of nightly runs is dropped


def _write(path: Path, data: object) -> None:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    temporary = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(data, handle)
    temporary.replace(path)


def keep(folder: Path, message: dict) -> Path:
    """Queue a message ({"channel": "email"|"webhook", ...}) for the next attempt."""
    message = {**message, "attempts": int(message.get("attempts", 0)) + 1}
    path = folder / f"{message.get('id') or uuid.uuid4().hex}.json"
    message["id"] = path.stem
    _write(path, message)
    return path


def retry(folder: Path, send: Callable[[dict], None], log: Callable[[str], None]) -> int:
    """Try every queued message again; returns how many are still queued."""
    if not folder.exists():
        return 0
    left = 0
    for path in sorted(folder.glob("*.json")):
        message = json.loads(path.read_text(encoding="utf-8"))
        try:
            send(message)
        except Exception as exc:
            if message.get("attempts", 0) >= MAX_ATTEMPTS:
                log(f"alert {path.stem} dropped after {MAX_ATTEMPTS} attempts: {exc}")
                path.unlink()
            else:
                keep(folder, message)
                left += 1
            continue
        path.unlink()
    return left


def announced(path: Path) -> set[str]:
    return set(json.loads(path.read_text(encoding="utf-8"))) if path.exists() else set()


def remember(path: Path, keys: set[str]) -> None:
    _write(path, sorted(keys))
