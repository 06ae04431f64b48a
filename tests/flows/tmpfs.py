"""A folder on a tmpfs mount of its own, whose size can be cut to simulate a full disk.

Mounting needs root (CI here runs as root); `tmpfs_unavailable` says why it cannot be done, so
a test can skip (or fail under CI) and the soak can leave its `disk_full` fault out.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

LARGE = 8 * 1024**3  # what a mount gets when it is not being filled: never reached


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, capture_output=True, text=True, check=False)


def tmpfs_unavailable() -> str | None:
    """None when a tmpfs can be mounted and resized here, else the reason it cannot."""
    if os.geteuid() != 0:
        return "mounting a tmpfs needs root"
    try:
        with tmpfs_mount(Path(tempfile.mkdtemp(prefix="mhsip-tmpfs-probe-"))) as probe:
            resize(probe, used_bytes(probe) + 1024 * 1024)
    except (OSError, RuntimeError) as exc:
        return f"cannot mount a tmpfs: {exc}"
    return None


@contextlib.contextmanager
def tmpfs_mount(folder: Path, size: int = LARGE) -> Iterator[Path]:
    """`folder` (created) as a tmpfs of `size` bytes; always unmounted after, lazily (`-l`) if
    something still holds it (a killed nightly's orphan), and the empty folder removed."""
    folder.mkdir(parents=True, exist_ok=True)
    mounted = _run("mount", "-t", "tmpfs", "-o", f"size={size},mode=0700", "tmpfs", str(folder))
    if mounted.returncode != 0:
        raise RuntimeError(f"mount -t tmpfs {folder}: {mounted.stderr.strip()}")
    try:
        yield folder
    finally:
        if _run("umount", str(folder)).returncode != 0:
            _run("umount", "-l", str(folder))
        with contextlib.suppress(OSError):
            folder.rmdir()


def used_bytes(mount: Path) -> int:
    stat = os.statvfs(mount)
    return (stat.f_blocks - stat.f_bfree) * stat.f_frsize


def resize(mount: Path, size: int) -> None:
    """Remount with a new size; below what is used already, tmpfs refuses (mount exits 32)."""
    done = _run("mount", "-o", f"remount,size={size}", str(mount))
    if done.returncode != 0:
        raise RuntimeError(f"remount {mount} to {size} bytes: {done.stderr.strip()}")
