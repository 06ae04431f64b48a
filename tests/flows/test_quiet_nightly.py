"""The nightly with nothing to process: finished without Prefect, with the flow's summary; anything
to process (or to collect) is handed to the flow with nothing touched."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from flows.quiet_nightly import quiet_nightly
from flows.settings import Settings
from tests.flows.helpers import db_path, home_env, make_landing, snapshot

HOLDER = """
import sys, time
from warehouse.engine import open_warehouse
wh = open_warehouse(sys.argv[1])
print("ready", flush=True)
time.sleep(30)
"""


@pytest.fixture
def no_prefect(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail the test if anything asks for a Prefect client (which would start a server)."""
    import prefect.client.orchestration as orchestration

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the quiet nightly asked for a Prefect client")

    monkeypatch.setattr(orchestration, "get_client", refuse)


def _settings(monkeypatch: pytest.MonkeyPatch, home: Path, landing: Path, **extra: str) -> Settings:
    for name, value in home_env(home, landing, **extra).items():
        monkeypatch.setenv(name, value)
    return Settings()


def test_an_empty_landing_is_finished_without_prefect(tmp_path, monkeypatch, no_prefect) -> None:
    landing = tmp_path / "landing"
    landing.mkdir()
    settings = _settings(monkeypatch, tmp_path / "home", landing)
    result = quiet_nightly(settings)
    assert result is not None
    assert (result["files"], result["problems"], result["failures"], result["partitions"]) == (
        [], [], [], 0,
    )  # fmt: skip
    assert result["published"] == str(settings.published_path)
    assert settings.published_path.exists()  # the BI copy, as the flow publishes it
    log = (settings.logs / "mhsip.log") if (settings.logs / "mhsip.log").exists() else None
    assert log is None or "patient" not in log.read_text()


def test_landing_problems_are_reported(tmp_path, monkeypatch, no_prefect, registry) -> None:
    landing = tmp_path / "landing"
    (landing / "RX2" / "2024-01").mkdir(parents=True)
    (landing / "RX2" / "2024-01" / "notes.txt").write_text("not an extract")
    (landing / "NOTATRUST").mkdir()
    settings = _settings(monkeypatch, tmp_path / "home", landing)
    result = quiet_nightly(settings)
    assert result is not None and result["files"] == []
    from landing.scan import scan_landing

    _, problems = scan_landing(str(landing), registry)
    assert problems, "the landing zone above has problems for the scan to find"
    assert [p["rule"] for p in result["problems"]] == [p.rule for p in problems]
    assert [p["detail"] for p in result["problems"]] == [p.detail for p in problems]


def test_a_new_file_is_handed_to_the_flow_untouched(tmp_path, monkeypatch, registry) -> None:
    landing = make_landing(tmp_path, registry, ["RX2"], 1, faults=False)
    settings = _settings(monkeypatch, tmp_path / "home", landing)
    assert quiet_nightly(settings) is None
    assert not settings.published_path.exists()
    tables = snapshot(db_path(tmp_path / "home"))
    assert len(tables["etl_submission"]) == 0
    assert not (tmp_path / "home" / "lake").exists()


def test_configured_sources_are_handed_to_the_flow(tmp_path, monkeypatch) -> None:
    landing = tmp_path / "landing"
    landing.mkdir()
    sources = tmp_path / "sources.yaml"
    sources.write_text("sources:\n  drop:\n    type: sftp\n    host: h\n    username: u\n"
                       "    base_path: /in\n")  # fmt: skip
    settings = _settings(monkeypatch, tmp_path / "home", landing, MHSIP_SOURCES=str(sources))
    assert quiet_nightly(settings) is None
    assert not settings.published_path.exists()


@pytest.mark.slow  # a second process holds the warehouse
def test_a_busy_warehouse_gives_the_flows_busy_reason(tmp_path, monkeypatch, no_prefect) -> None:
    landing = tmp_path / "landing"
    landing.mkdir()
    settings = _settings(monkeypatch, tmp_path / "home", landing, MHSIP_LOCK_TIMEOUT_SECONDS="0.5")
    path = str(db_path(tmp_path / "home"))
    root = Path(__file__).resolve().parents[2]
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, path], cwd=root,
                              stdout=subprocess.PIPE, text=True)  # fmt: skip
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "ready"
        result = quiet_nightly(settings)
    finally:
        holder.kill()
        holder.wait()
    assert result is not None and set(result) == {"busy"}
    assert path in result["busy"] and "MHSIP_LOCK_TIMEOUT_SECONDS" in result["busy"]


@pytest.mark.slow  # real nightly flows
def test_nothing_new_gives_what_the_flow_gives(
    tmp_path, monkeypatch, registry, prefect_server
) -> None:
    """After a real run: the quiet nightly's summary is the flow's for the same no-op, and
    neither changes a table; a changed file is then handed to the flow."""
    from flows.nightly import nightly_flow

    landing = make_landing(tmp_path, registry, ["RX2", "RNU"], 2, scale=0.1)
    (landing / "RX2" / "stray.txt").write_text("a landing problem")
    settings = _settings(monkeypatch, tmp_path / "home", landing)
    nightly_flow()
    before = snapshot(db_path(tmp_path / "home"), drop_volatile=False)
    quiet = quiet_nightly(settings)
    flow = nightly_flow()
    assert quiet is not None and quiet == flow
    after = snapshot(db_path(tmp_path / "home"), drop_volatile=False)
    for name in before:
        pd.testing.assert_frame_equal(before[name], after[name], obj=name)
    changed = sorted((landing / "RNU").rglob("*.*"))[0]
    changed.write_bytes(changed.read_bytes() + b"\n")
    assert quiet_nightly(settings) is None
