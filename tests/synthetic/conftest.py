"""Shared fixtures: one small generated run (5 trusts, 3 months, scale 0.3) for the module tests."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from synthetic import GenerationManifest, generate
from transforms.trust_config import Registry, load_registry

CONFIG = Path(__file__).resolve().parents[2] / "config"
TRUSTS = ["RJ8", "NQL", "RVN", "RWV", "RH5"]
START = dt.date(2024, 1, 1)
Run = tuple[Path, GenerationManifest]


@pytest.fixture(scope="session")
def registry() -> Registry:
    return load_registry(CONFIG)


@pytest.fixture(scope="session")
def run(registry: Registry, tmp_path_factory: pytest.TempPathFactory) -> Run:
    out = tmp_path_factory.mktemp("gen_a")
    return out, generate(out, registry, START, 3, trusts=TRUSTS, scale=0.3, seed=3, workers=2)
