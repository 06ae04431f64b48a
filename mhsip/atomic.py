"""Write a file so readers see the old bytes or the new, never half: temp file, then rename."""

from __future__ import annotations

import uuid

import fsspec


def write_atomically(fs: fsspec.AbstractFileSystem, path: str, content: bytes) -> None:
    """Write `content` to `path` through a hidden temporary file beside it and a rename (atomic
    on a local filesystem; on object stores a put is already all-or-nothing)."""
    folder, name = path.rsplit("/", 1)
    temporary = f"{folder}/.{name}.{uuid.uuid4().hex}.tmp"
    fs.makedirs(folder, exist_ok=True)
    try:
        fs.pipe_file(temporary, content)
        fs.mv(temporary, path)
    finally:
        if fs.exists(temporary):
            fs.rm_file(temporary)
