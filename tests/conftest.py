"""Shared fixtures. Tests are offline and fast by default; PostgreSQL tests skip visibly locally
and fail in CI (CI=true) when no server answers."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.unavailable import skip_or_fail_in_ci

# Isolate Prefect before anything imports it: its home, database and telemetry.
_PREFECT_HOME = Path(tempfile.mkdtemp(prefix="mhsip-test-prefect-"))
os.environ.setdefault("PREFECT_HOME", str(_PREFECT_HOME))
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")
os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
os.environ.setdefault("DO_NOT_TRACK", "1")
# The raw archive's test key (32 bytes of base64, made up for the tests; never a real key).
TEST_ARCHIVE_KEY = "dGVzdC1hcmNoaXZlLWtleS1ub3QtYS1zZWNyZXQtISE="
os.environ.setdefault("MHSIP_ARCHIVE_KEY", TEST_ARCHIVE_KEY)

REPO = Path(__file__).resolve().parents[1]
PG_URL = os.environ.get("MHSIP_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/test")


@pytest.fixture(scope="session")
def registry():
    from mhsip.config_loader import load_registry

    return load_registry(REPO / "config")


@pytest.fixture(scope="session")
def prefect_server() -> Iterator[None]:
    """One temporary Prefect server for the whole session (starting one costs ~8 s)."""
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield


@pytest.fixture(scope="session")
def pg_url() -> str:
    """A reachable PostgreSQL URL, or a skip (a failure when CI=true)."""
    try:
        import psycopg

        with psycopg.connect(PG_URL, connect_timeout=3) as conn:
            conn.execute("SELECT 1")
    except Exception as exc:
        reason = f"PostgreSQL not reachable at {PG_URL}: {exc}"
        skip_or_fail_in_ci(reason, "PostgreSQL tests to run")
    return PG_URL
