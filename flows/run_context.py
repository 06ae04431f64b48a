"""A run's context without Prefect: its settings, registry, compute context and warehouse, and
the summary it reports. `flows.runs` runs the flows with them; `flows.quiet_nightly` uses them
too, where no flow run is paid for, so nothing here imports Prefect at import time (~1 s)."""

from __future__ import annotations

import csv
import logging
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from flows.outcomes import FileSummary
from flows.preflight import SettingsError
from flows.settings import Settings
from flows.work import ComputeContext
from landing.scan import LandingProblem
from mhsip.config_loader import load_registry
from transforms.identifiers import key_fingerprint
from transforms.read_guards import ReadLimits
from transforms.trust_config import Registry
from warehouse.engine import open_warehouse
from warehouse.key_check import KEY_MISMATCH
from warehouse.store import Warehouse, WarehouseBusy

BUSY = "warehouse busy: "


def current_flow_run_id() -> str | None:
    """The Prefect flow run this code runs in; None outside one (when Prefect is not even
    imported, there is none)."""
    if "prefect" not in sys.modules:
        return None
    from prefect.runtime import flow_run

    return str(flow_run.id) if flow_run.id else None


@dataclass
class Run:
    """One open run: settings, the compute context, and the warehouse it holds."""

    settings: Settings
    registry: Registry
    compute: ComputeContext
    warehouse: Warehouse


@dataclass
class RunReport:
    """What one run did, without patient data: printed by the CLI, returned by the flow."""

    files: list[FileSummary] = field(default_factory=list)
    problems: list[LandingProblem] = field(default_factory=list)
    failures: list[dict[str, str]] = field(default_factory=list)
    partitions: int = 0
    published: str | None = None
    purged: list[str] = field(default_factory=list)  # backfill: months past retention

    def as_dict(self) -> dict:
        return {
            "partitions": self.partitions,
            "files": [asdict(f) for f in self.files],
            "problems": [asdict(p) for p in self.problems],
            "failures": self.failures,
            "published": self.published,
            "purged": self.purged,
        }


def load_imd(path: Path | None) -> dict[str, int] | None:
    if path is None:
        return None
    with path.open(newline="", encoding="utf-8") as handle:
        rows = csv.DictReader(line for line in handle if not line.startswith("#"))
        return {r["lsoa"]: int(r["imd_decile"]) for r in rows}


def run_logger(fallback: str = "mhsip") -> Any:
    """The flow run's logger inside a flow run, else the standard logger `fallback`."""
    if "prefect" in sys.modules:
        from prefect import get_run_logger
        from prefect.exceptions import MissingContextError

        try:
            return get_run_logger()
        except MissingContextError:  # called outside a flow run (tests, scripts)
            pass
    return logging.getLogger(fallback)


def open_with_retries(settings: Settings, attempts: int = 3, first_delay: float = 2.0) -> Warehouse:
    """Open the warehouse, retrying a transient connection failure (a PostgreSQL restart, a
    network blip) with backoff; a busy warehouse (another run) is not retried here: the lock
    wait already has its own timeout."""
    for attempt in range(1, attempts + 1):
        try:
            return open_warehouse(settings.warehouse, settings.lock_timeout_seconds)
        except WarehouseBusy:
            raise
        except OSError as exc:  # psycopg.OperationalError is not an OSError: see below
            error: Exception = exc
        except Exception as exc:
            if type(exc).__name__ != "OperationalError":
                raise
            error = exc
        if attempt == attempts:
            raise error
        delay = first_delay * 2 ** (attempt - 1)
        run_logger().warning("warehouse not reachable (%s); retrying in %.0f s", error, delay)
        time.sleep(delay)
    raise AssertionError("unreachable")


def check_key(warehouse: Warehouse, key: bytes) -> None:
    """Stop (one line) when the key differs from the one the warehouse was built with, before
    anything is written; a warehouse without a fingerprint records this key's."""
    fingerprint = key_fingerprint(key)
    stored = warehouse.key_fingerprint()
    if stored is None:
        warehouse.record_key_fingerprint(fingerprint)
    elif stored != fingerprint:
        raise SettingsError(KEY_MISMATCH)


@contextmanager
def open_run(settings: Settings) -> Iterator[Run]:
    registry = load_registry(settings.config_dir)
    compute = ComputeContext(
        registry=registry, key=settings.key_bytes(), archive_url=settings.archive_url,
        imd=load_imd(settings.imd_path), flow_run_id=current_flow_run_id(),
        max_file_bytes=settings.max_file_bytes,
        read_limits=ReadLimits(max_uncompressed_bytes=settings.max_xlsx_uncompressed_bytes,
                               max_columns=settings.max_columns),
        archive_keys=settings.archive_keyring(),
    )  # fmt: skip
    warehouse = open_with_retries(settings)
    try:
        check_key(warehouse, compute.key)
        yield Run(settings, registry, compute, warehouse)
    finally:
        warehouse.close()
