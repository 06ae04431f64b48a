"""Fixtures for these tests; the helpers they use are in helpers.py."""

from __future__ import annotations

import pytest

from mhsip.config_loader import load_registry
from synthetic import generate
from tests.synthetic.helpers import CONFIG, START, TRUSTS, Run
from transforms.trust_config import Registry


@pytest.fixture(scope="session")
def registry() -> Registry:
    return load_registry(CONFIG)


@pytest.fixture(scope="session")
def run(registry: Registry, tmp_path_factory: pytest.TempPathFactory) -> Run:
    out = tmp_path_factory.mktemp("gen_a")
    return out, generate(out, registry, START, 3, trusts=TRUSTS, scale=0.3, seed=3, workers=2)
