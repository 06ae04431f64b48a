from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from warehouse.store import Warehouse


@pytest.fixture
def wh(tmp_path: Path) -> Iterator[Warehouse]:
    with Warehouse.open(str(tmp_path / "wh" / "mhsip.duckdb"), lock_timeout_seconds=5) as store:
        yield store
