"""The report opened from disk in headless Chromium: charts drawn, no console errors, offline.

Skips locally with the reason when Chromium is missing; fails in CI (CI=true), where .ci/run
installs the Debian `chromium` package. Browser-internal traffic (update checks and the like,
logged with initiator "not an origin") is cut off by the host resolver rules and ignored; any
request a page starts (initiator "null" for a file:// page) fails the test.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.report.helpers import CHANGE_LABEL
from tests.unavailable import skip_or_fail_in_ci

pytestmark = pytest.mark.slow  # headless Chromium

PAGES = ["index.html", "equity.html", "comparison.html", "submissions.html", "trusts/RX2.html",
         "feedback/RX2/index.html", "wards/RX2/W1.html"]  # fmt: skip


def _chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        reason = "Chromium not installed (Debian package `chromium`); browser test not run"
        skip_or_fail_in_ci(reason, "the browser test")
    return found


def _run(browser: str, page: Path, work: Path, *mode: str) -> tuple[str, str]:
    """(stdout, stderr) of one headless Chromium run on a file:// page, network blocked."""
    args = [browser, "--headless", "--no-sandbox", "--disable-gpu",
            "--disable-background-networking", "--disable-component-update", "--no-first-run",
            "--disable-sync", "--disable-default-apps", "--host-resolver-rules=MAP * ~NOTFOUND",
            f"--user-data-dir={work / 'profile'}", "--enable-logging=stderr", "--v=0",
            f"--log-net-log={work / 'net.json'}", *mode, page.as_uri()]  # fmt: skip
    done = subprocess.run(args, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout, done.stderr


def _page_requests(net_log: Path) -> list[str]:
    log = json.loads(net_log.read_text(encoding="utf-8"))
    start = log["constants"]["logEventTypes"]["URL_REQUEST_START_JOB"]
    return [e["params"]["url"] for e in log["events"]
            if e["type"] == start and "url" in e.get("params", {})
            and e["params"].get("initiator") != "not an origin"]  # fmt: skip


def _charts(dom: str, kind: str) -> list[str]:
    return re.findall(rf'<svg class="chart {kind}".*?</svg>', dom, flags=re.S)


def test_every_page_renders_offline_with_its_charts(site: Path, tmp_path: Path) -> None:
    browser = _chromium()
    doms = {}
    for name in PAGES:
        html = (site / name).read_text(encoding="utf-8")
        assert not re.search(r"https?://|<script|<link|@import|url\(", html, flags=re.I), name
        work = tmp_path / name.replace("/", "_")
        doms[name], log = _run(browser, site / name, work, "--dump-dom")
        assert "</main>" in doms[name], name
        assert _page_requests(work / "net.json") == [], name
        assert not re.findall(r":CONSOLE[:(].*", log), name
    spc = _charts(doms["trusts/RX2.html"], "spc-chart")
    assert len(spc) == 6  # every measure of the trust
    for chart in spc:
        assert 'class="axis x-axis"' in chart and 'class="axis y-axis"' in chart
        assert chart.count('class="point"') == 16  # one point per month
        assert 'class="limit"' in chart and 'class="mean"' in chart
    forests = _charts(doms["trusts/RX2.html"], "forest-plot")
    assert len(forests) == 3  # ethnic group, age band, IMD quintile
    assert all('class="reference-line"' in f and 'class="axis x-axis"' in f for f in forests)
    assert len(_charts(doms["equity.html"], "forest-plot")) == 3
    assert len(_charts(doms["index.html"], "spc-chart")) == 6  # the collaborative series
    assert 'href="../wards/RX2/W1.html"' in doms["trusts/RX2.html"]
    ward = _charts(doms["wards/RX2/W1.html"], "spc-chart")
    assert len(ward) == 6  # the ward's series: every measure, 16 months each
    for chart in ward:
        assert chart.count('class="point"') == 16
        assert chart.count('class="change-marker"') == 1 and CHANGE_LABEL in chart
    funnels = _charts(doms["comparison.html"], "funnel-plot")
    assert len(funnels) == 2 + 2 * 2  # two measures: the trusts, then RX2's and RNU's wards
    for chart in funnels:
        assert 'class="axis x-axis"' in chart and chart.count('class="limit limit-998"') >= 2
        assert chart.count('class="unit"') == 2  # two trusts, or a trust's two wards


@pytest.mark.parametrize("name", ["trusts/RX2.html", "comparison.html"])
def test_screenshot_of_a_page_with_charts(site: Path, tmp_path: Path, name: str) -> None:
    browser = _chromium()
    shot = tmp_path / "page.png"
    _run(browser, site / name, tmp_path, f"--screenshot={shot}", "--window-size=1300,2200")
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert shot.stat().st_size > 20_000  # a blank page is a few kB
