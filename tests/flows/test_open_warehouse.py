"""Transient warehouse connection failures are retried with backoff, then reported."""

from __future__ import annotations

import time

import pytest

from flows.runs import open_with_retries
from flows.settings import Settings


def test_an_unreachable_postgres_is_retried_then_reported(monkeypatch, tmp_path) -> None:
    import psycopg

    # nothing listens on port 9 (discard): every attempt fails to connect
    monkeypatch.setenv("MHSIP_WAREHOUSE_URL", "postgresql+psycopg://nobody@127.0.0.1:9/none")
    monkeypatch.setenv("MHSIP_HOME", str(tmp_path))
    began = time.perf_counter()
    with pytest.raises(psycopg.OperationalError):
        open_with_retries(Settings(), attempts=3, first_delay=0.2)
    assert time.perf_counter() - began >= 0.2 + 0.4  # backed off twice before giving up
