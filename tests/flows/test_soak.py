"""A short soak (benchmarks/soak.py): two randomised nights with faults, each checked against a
clean replay of the same landing zone."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow
SOAK = Path(__file__).resolve().parents[2] / "benchmarks" / "soak.py"


def test_two_randomised_nights_equal_their_clean_replay(tmp_path: Path) -> None:
    spec = importlib.util.spec_from_file_location("soak", SOAK)
    assert spec is not None and spec.loader is not None
    soak = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(soak)
    totals = soak.soak(nights=2, seed=7, trusts=["RJ8", "ZZ1"], out=tmp_path)
    assert totals["nights"] == 2
    assert totals["divergences"] == 0
