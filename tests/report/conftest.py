"""Fixtures for these tests; the helpers they use are in helpers.py."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.report.helpers import PEOPLE, Published, key, load_report_warehouse, report_registry
from warehouse.engine import open_warehouse


@pytest.fixture(scope="session")
def published(tmp_path_factory: pytest.TempPathFactory) -> Published:
    """The report's warehouse on DuckDB; the report reads the operators' full copy."""
    folder = tmp_path_factory.mktemp("warehouse")
    registry = report_registry()
    with open_warehouse(str(folder / "live.duckdb"), lock_timeout_seconds=5) as wh:
        load_report_warehouse(wh, registry)
        wh.checkpoint_and_publish(folder / "bi.duckdb", full_copy=folder / "full.duckdb")
    keys = frozenset(key(p + offset) for p in range(len(PEOPLE)) for offset in (0, 100))
    return Published(path=folder / "full.duckdb", registry=registry, patient_keys=keys)


@pytest.fixture(scope="session")
def site(published: Published, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The report built from the published warehouse, shared by the report tests (read only)."""
    from report import build_report

    out = tmp_path_factory.mktemp("site")
    assert build_report(published.path, out, published.registry) == out / "index.html"
    return out
