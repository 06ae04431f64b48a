"""A test whose outside part (a server, a browser, a mount) is missing: a visible skip here, a
failure in CI (CI=true), where every test must run."""

from __future__ import annotations

import os
from typing import NoReturn

import pytest


def skip_or_fail_in_ci(reason: str, needed: str) -> NoReturn:
    """Skip with `reason`; under CI=true fail with "CI requires <needed>: <reason>"."""
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"CI requires {needed}: {reason}")
    pytest.skip(reason)
