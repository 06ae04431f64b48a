"""Everything mhsip writes under MHSIP_HOME is owner-only (folders 0700, files 0600) after a
small demo (a real `mhsip demo` in a subprocess); a configured group reads the BI copy and the
report only."""

from __future__ import annotations

import grp
import os
import stat
from pathlib import Path

import pytest

from mhsip.permissions import secure
from tests.flows.helpers import finish_cli, start_cli


def _modes(home: Path) -> dict[str, str]:
    found = {}
    for path in [home, *home.rglob("*")]:
        info = path.lstat()
        if not stat.S_ISLNK(info.st_mode):
            found[str(path.relative_to(home))] = oct(stat.S_IMODE(info.st_mode))
    return found


@pytest.mark.slow
def test_after_a_small_demo_every_folder_is_0700_and_every_file_0600(tmp_path: Path) -> None:
    home = tmp_path / "home"
    old = os.umask(0o022)  # the usual default: the 0600s must come from mhsip, not the test
    try:
        proc = start_cli(["demo", "--months", "1", "--scale", "0.05"], home, home / "landing",
                         tmp_path / "demo.log")  # fmt: skip
        code = finish_cli(proc, timeout=600)
    finally:
        os.umask(old)
    assert code == 0, (tmp_path / "demo.log").read_text(errors="replace")[-3000:]
    modes = _modes(home)
    assert len(modes) > 200  # landing, archive, lake, warehouse, published, report, logs, prefect
    for part in ("archive", "lake", "warehouse", "published", "report", "logs", "prefect"):
        assert any(name.startswith(part) for name in modes), part
    wrong = {name: mode for name, mode in modes.items()
             if mode != ("0o700" if (home / name).is_dir() and name != "." else "0o600")
             and not (name == "." and mode == "0o700")}  # fmt: skip
    assert wrong == {}


def test_a_share_group_reads_the_bi_copy_and_report_and_nothing_else(tmp_path: Path) -> None:
    home = tmp_path / "home"
    for name in ("archive/sha256/ab/x", "published/mhsip.duckdb", "report/index.html",
                 "landing/RX2/2024-01/f.csv"):  # fmt: skip
        (home / name).parent.mkdir(parents=True, exist_ok=True)
        (home / name).write_text("x")
        (home / name).chmod(0o644)
    group = grp.getgrgid(os.getgid()).gr_name
    secure(home, home / "landing", [home / "published/mhsip.duckdb", home / "report"], group)
    modes = _modes(home)
    assert modes["archive/sha256/ab/x"] == "0o600" and modes["archive"] == "0o700"
    assert modes["published/mhsip.duckdb"] == "0o640" and modes["published"] == "0o710"
    assert modes["report"] == "0o750" and modes["report/index.html"] == "0o640"
    assert modes["."] == "0o710"  # passable, not listable
    assert modes["landing/RX2/2024-01/f.csv"] == "0o644"  # trusts' deliveries: left as they are
    secure(home, home / "landing", [home / "published/mhsip.duckdb", home / "report"], None)
    assert _modes(home)["report/index.html"] == "0o600"
