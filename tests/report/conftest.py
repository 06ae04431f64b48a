"""Fixtures for these tests; the helpers they use are in helpers.py."""

from __future__ import annotations

import hashlib
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.report.helpers import PEOPLE, RI, WS, Published, _facts, _quarantine, _trust, key, month
from tests.warehouse.helpers import loaded, rejected
from transforms.trust_config import (
    CodeMaps,
    CollaborativeConfig,
    Registry,
    SpcSettings,
    TargetFromBaseline,
)
from warehouse.engine import open_warehouse
from warehouse.partition_load import PartitionLoad


@pytest.fixture(scope="session")
def published(tmp_path_factory: pytest.TempPathFactory) -> Published:
    folder = tmp_path_factory.mktemp("warehouse")
    registry = Registry(
        trusts={"RX2": _trust("RX2", "Sussex Partnership"), "RNU": _trust("RNU", "Oxford Health"),
                "RWX": _trust("RWX", "Berkshire Healthcare")},
        codes=CodeMaps(maps={}),
        # the collaborative's target: 25% below the first year (2023), fixed once
        collaborative=CollaborativeConfig(spc=SpcSettings(
            target=TargetFromBaseline(reduce_by=0.25, baseline="2023-01..2023-12"))),
    )  # fmt: skip
    with open_warehouse(str(folder / "live.duckdb"), lock_timeout_seconds=5) as wh:
        for trust in ("RX2", "RNU"):
            for i in range(16):
                m = month(i)
                ri, ws = _facts(trust, m, i)
                extra = 13 if (trust, i) == ("RX2", 13) else 0
                sid = f"{trust}-{m:%Y-%m}"
                sha = hashlib.sha256(sid.encode()).hexdigest()
                wh.replace_partition(PartitionLoad(trust, m, [
                    loaded(WS, f"{sid}-ws", ws, sha=sha[:-2] + "ws"),
                    loaded(RI, f"{sid}-ri", ri, quarantined=extra,
                           quarantine=_quarantine(12) if extra else None,
                           sha=sha[:-2] + "ri"),
                ]))  # fmt: skip
        m = month(14)
        wh.replace_partition(PartitionLoad("RX2", m, [
            replace(rejected(RI, f"RX2-{m:%Y-%m}-ri-v2", rows=3, sha="f" * 64,
                             received_at=datetime(2024, 4, 20, tzinfo=UTC)),
                    rejection_reason="=1+2 rows against a median of 100")]))  # fmt: skip
        wh.refresh_dimensions(registry)
        wh.refresh_marts(None)
        path = wh.checkpoint_and_publish(folder / "published.duckdb")
    keys = frozenset(key(p + offset) for p in range(len(PEOPLE)) for offset in (0, 100))
    return Published(path=path, registry=registry, patient_keys=keys)


@pytest.fixture(scope="session")
def site(published: Published, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The report built from the published warehouse, shared by the report tests (read only)."""
    from report import build_report

    out = tmp_path_factory.mktemp("site")
    assert build_report(published.path, out, published.registry) == out / "index.html"
    return out
