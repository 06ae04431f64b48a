"""Checks made before a run touches anything: each failure is one line naming the setting.

The command line calls `check_settings` before it creates a folder, and the flows call it (with
the landing check for the nightly) before they open the warehouse, so a scheduled run fails
visibly too. Nothing here creates a file or folder: writability is probed with a temporary file
in the nearest existing folder, which is removed at once.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from flows.settings import Settings
from transforms.trust_config import ConfigError


class SettingsError(ConfigError):
    """A setting that cannot work; the message is one line naming it."""


_POSTGRES = ("postgresql://", "postgresql+psycopg://", "postgres://")
_DUCKDB_SUFFIXES = (".duckdb", ".db")


def warehouse_problem(url: str) -> str | None:
    """Why MHSIP_WAREHOUSE_URL cannot be a warehouse, or None: a `duckdb:///` URL, a path to a
    `.duckdb` (or `.db`) file, or a PostgreSQL URL (`postgresql+psycopg://...`)."""
    if url.startswith(_POSTGRES):
        return None if len(url.split("://", 1)[1]) > 0 else "a PostgreSQL URL needs a host"
    if url.startswith("duckdb:///"):
        path = url.removeprefix("duckdb:///")
        return None if path and path != ":memory:" else "a duckdb:/// URL needs a file path"
    if "://" not in url and url.endswith(_DUCKDB_SUFFIXES) and not url.isspace():
        return None
    return (
        f"MHSIP_WAREHOUSE_URL {url!r} is neither a DuckDB file (duckdb:///path/mhsip.duckdb or a "
        "path ending .duckdb) nor a PostgreSQL URL (postgresql+psycopg://user@host/db)"
    )


def _local(url: str) -> Path | None:
    """The local path of a setting that may be a URL; None for remote storage (s3://, ...)."""
    if url.startswith("file://"):
        return Path(url.removeprefix("file://"))
    return None if "://" in url else Path(url)


def _writable_problem(name: str, path: Path) -> str | None:
    """Why a folder could not be created or written, without creating it."""
    probe = path.absolute()
    while not probe.exists():
        if probe.is_symlink() or probe.parent == probe:
            break
        probe = probe.parent
    if probe.exists() and not probe.is_dir():
        return f"{name} {str(path)!r} cannot be a folder: {str(probe)!r} is a file"
    try:
        with tempfile.TemporaryFile(dir=probe):
            pass
    except OSError as exc:
        return f"{name} {str(path)!r} is not writable ({exc.strerror or exc} at {str(probe)!r})"
    return None


def folder_problems(settings: Settings) -> list[str]:
    folders: list[tuple[str, Path | None]] = [
        ("MHSIP_HOME", settings.home),
        ("MHSIP_ARCHIVE", _local(settings.archive_url)),
        ("MHSIP_LAKE", _local(settings.lake_url)),
        ("MHSIP_PUBLISHED", settings.published_path.parent),
        ("MHSIP_REPORT_DIR", settings.reports),
        ("MHSIP_LOG_DIR", settings.logs),
    ]
    url = settings.warehouse
    if url.startswith("duckdb:///") or "://" not in url:
        folders.append(("MHSIP_WAREHOUSE_URL", Path(url.removeprefix("duckdb:///")).parent))
    problems = (_writable_problem(name, path) for name, path in folders if path is not None)
    return [p for p in problems if p]


def landing_problem(landing_url: str) -> str | None:
    """Why the landing zone cannot be listed (missing, not a folder, unreadable), or None. An
    empty landing zone is fine."""
    path = _local(landing_url)
    if path is None:
        import fsspec

        fs, root = fsspec.core.url_to_fs(landing_url)
        return None if fs.isdir(root) else f"MHSIP_LANDING {landing_url!r} is not a folder"
    if not path.exists():
        return f"MHSIP_LANDING {landing_url!r} does not exist (is the share mounted?)"
    if not path.is_dir():
        return f"MHSIP_LANDING {landing_url!r} is not a folder"
    try:
        next(path.iterdir(), None)
    except OSError as exc:
        return f"MHSIP_LANDING {landing_url!r} cannot be read ({exc.strerror or exc})"
    return None


def check_settings(settings: Settings, landing: bool = False) -> None:
    """Raise `SettingsError` with the first problem found (one line), else return."""
    problem = warehouse_problem(settings.warehouse)
    problem = problem or next(iter(folder_problems(settings)), None)
    if problem is None and landing and not _collects(settings):
        problem = landing_problem(settings.landing_url)
    if problem:
        raise SettingsError(problem)


def _collects(settings: Settings) -> bool:
    """True when `config/sources.yaml` names a source: the collect stage then fills (and
    creates) the landing zone, so its absence before the first run is not a problem."""
    from mhsip.config_loader import ConfigError, load_sources

    try:
        return bool(load_sources(settings.sources_path).sources)
    except ConfigError:
        return False  # reported by the run itself, with the file and key
