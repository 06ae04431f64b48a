"""Fixtures for these tests; the helpers they use are in helpers.py."""

from __future__ import annotations

import pytest

from tests.expectations.helpers import make_trust
from transforms.trust_config import TrustConfig


@pytest.fixture
def trust() -> TrustConfig:
    return make_trust()
