"""Owner-only files under MHSIP_HOME: folders 0700, files 0600 (DSPT: least access).

Every `mhsip` process sets the umask 077 before it writes anything, so what it creates (and
what its children create: Prefect's server, Dask workers) is owner-only from the start; `secure`
then sweeps the home after a run, which also tightens a home written before this rule.
`MHSIP_SHARE_GROUP` names the one exception: the published BI copy and the HTML report become
readable by that group (folders 0750, files 0640), for BI tools and report readers that run as
another account. The landing zone is left as it is: trusts' deliveries, not written by `mhsip`.
"""

from __future__ import annotations

import contextlib
import grp
import os
import stat
from collections.abc import Iterable
from pathlib import Path

OWNER_ONLY_UMASK = 0o077


def owner_only_from_now() -> None:
    os.umask(OWNER_ONLY_UMASK)


def _chmod(path: Path, folder_mode: int, file_mode: int, gid: int | None) -> None:
    info = path.lstat()
    if stat.S_ISLNK(info.st_mode):
        return  # never follow a link out of the home
    mode = folder_mode if stat.S_ISDIR(info.st_mode) else file_mode
    if gid is not None and info.st_gid != gid:
        os.chown(path, -1, gid, follow_symlinks=False)
    if stat.S_IMODE(info.st_mode) != mode:
        path.chmod(mode)


def _tree(root: Path, skip: set[Path]) -> Iterable[Path]:
    if not root.exists() or root.resolve() in skip:
        return
    yield root
    for folder, dirs, files in os.walk(root):
        kept = [d for d in dirs if (Path(folder) / d).resolve() not in skip]
        dirs[:] = kept
        for name in (*kept, *files):
            yield Path(folder) / name


def secure(home: Path, landing: Path | None, shared: Iterable[Path], group: str | None) -> None:
    """Tighten everything under `home` but `landing`; open `shared` paths to `group` if set."""
    shared_paths = {p.resolve() for p in shared if p.exists()}
    skip = {landing.resolve()} if landing is not None else set()
    for path in _tree(home, skip | (shared_paths if group else set())):
        with contextlib.suppress(FileNotFoundError):  # a temporary file renamed meanwhile
            _chmod(path, 0o700, 0o600, None)
    if not group:
        return
    gid = grp.getgrnam(group).gr_gid
    for root in shared_paths:
        for path in _tree(root, set()):
            with contextlib.suppress(FileNotFoundError):
                _chmod(path, 0o750, 0o640, gid)
        for parent in root.parents:  # the group may pass through (not list) folders above it
            if not parent.is_relative_to(home.resolve()):
                break
            _chmod(parent, 0o710, 0o600, gid)
