"""Structure: every flows module imports, and deployments/schedules/parameters match the snapshot.

An accidental change to a deployment (its name, cron, timezone, a flow parameter, tags,
concurrency) fails here as a readable diff. To accept an intended change:
    MHSIP_UPDATE_SNAPSHOTS=1 pytest tests/serving/test_structure.py
and commit the updated tests/serving/snapshots/deployments.json with the change.
"""

from __future__ import annotations

import dataclasses
import difflib
import importlib
import json
import os
import pkgutil
from pathlib import Path

import pytest

import flows
from serving.deployments import BACKFILL, DEPLOYMENTS, NIGHTLY, deployment_snapshot, load_flow

SNAPSHOT = Path(__file__).parent / "snapshots" / "deployments.json"


def _flows_modules() -> list[str]:
    return sorted(m.name for m in pkgutil.iter_modules(flows.__path__, "flows."))


@pytest.mark.parametrize("module", _flows_modules())
def test_every_flows_module_imports(module: str) -> None:
    importlib.import_module(module)


def test_the_flows_package_defines_exactly_the_deployed_flows() -> None:
    from prefect import Flow

    found = {}
    for module in _flows_modules():
        for value in vars(importlib.import_module(module)).values():
            if isinstance(value, Flow):
                found[value.name] = value
    assert sorted(found) == ["mhsip-backfill", "mhsip-nightly"]
    assert {spec.flow_name for spec in DEPLOYMENTS} == set(found)
    for spec in DEPLOYMENTS:
        assert load_flow(spec) is found[spec.flow_name]


def test_deployment_names_are_the_documented_ones() -> None:
    assert [spec.full_name for spec in DEPLOYMENTS] == [
        "mhsip-nightly/nightly",
        "mhsip-backfill/backfill",
    ]
    assert (NIGHTLY.cron, NIGHTLY.timezone) == ("0 2 * * *", "Europe/London")
    assert BACKFILL.cron is None


def _diff(expected: str, current: str) -> str:
    lines = difflib.unified_diff(
        expected.splitlines(keepends=True),
        current.splitlines(keepends=True),
        fromfile=SNAPSHOT.name,
        tofile="current deployments",
    )
    return "".join(lines)


def test_a_changed_schedule_shows_as_a_diff_against_the_snapshot() -> None:
    from serving.deployments import build_deployment

    moved = dataclasses.replace(NIGHTLY, cron="0 3 * * *", timezone="UTC")
    snap = deployment_snapshot([build_deployment(moved), build_deployment(BACKFILL)])
    current = json.dumps(snap, indent=2, sort_keys=True) + "\n"
    changed = [
        line[0] + line[1:].strip()
        for line in _diff(SNAPSHOT.read_text(encoding="utf-8"), current).splitlines()
        if line[:1] in "+-" and not line.startswith(("+++", "---"))
    ]
    assert changed == [
        '-"cron": "0 2 * * *",',
        '+"cron": "0 3 * * *",',
        '-"timezone": "Europe/London"',
        '+"timezone": "UTC"',
    ]


def test_deployments_match_the_snapshot() -> None:
    current = json.dumps(deployment_snapshot(), indent=2, sort_keys=True) + "\n"
    if os.environ.get("MHSIP_UPDATE_SNAPSHOTS") == "1":
        SNAPSHOT.parent.mkdir(parents=True, exist_ok=True)
        SNAPSHOT.write_text(current, encoding="utf-8")
    expected = SNAPSHOT.read_text(encoding="utf-8") if SNAPSHOT.exists() else ""
    diff = _diff(expected, current)
    if diff:
        pytest.fail(
            "deployments changed (names, schedules, parameters, tags or concurrency).\n"
            f"{diff}\nIf intended, regenerate with: "
            "MHSIP_UPDATE_SNAPSHOTS=1 pytest tests/serving/test_structure.py",
            pytrace=False,
        )
