"""The report reads the configured warehouse: on PostgreSQL, the database itself (no DuckDB copy
exists), with the same pages, byte for byte, as from DuckDB's operators' copy."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from report import build_report
from tests.report.helpers import Published, load_report_warehouse
from tests.warehouse.helpers import fresh_database
from warehouse.engine import open_warehouse

pytestmark = pytest.mark.postgres


@pytest.fixture(scope="module")
def pg_warehouse(pg_url: str, published: Published):
    """The report's warehouse loaded into a throw-away PostgreSQL database."""
    with fresh_database(pg_url) as (_, url):
        with open_warehouse(url, lock_timeout_seconds=5) as wh:
            load_report_warehouse(wh, published.registry)
        yield url


def _content(path: Path) -> object:
    """A file's bytes; a workbook's cell values (an XLSX holds its save time, so its bytes differ
    between any two saves)."""
    if path.suffix != ".xlsx":
        return path.read_bytes()
    import openpyxl

    book = openpyxl.load_workbook(path)
    return {s.title: [list(r) for r in s.iter_rows(values_only=True)] for s in book.worksheets}


def _files(root: Path) -> dict[str, object]:
    return {str(p.relative_to(root)): _content(p) for p in root.rglob("*") if p.is_file()}


def test_report_from_postgres_is_the_report_from_duckdb(
    pg_warehouse: str, published: Published, site: Path, tmp_path: Path
) -> None:
    index = build_report(pg_warehouse, tmp_path / "site", published.registry)
    assert index == tmp_path / "site" / "index.html"
    from_pg, from_duckdb = _files(tmp_path / "site"), _files(site)
    assert sorted(from_pg) == sorted(from_duckdb)
    different = [name for name in from_pg if from_pg[name] != from_duckdb[name]]
    assert different == []


def test_mhsip_report_runs_on_postgres(
    pg_warehouse: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from mhsip.cli.app import app

    home = tmp_path / "home"
    monkeypatch.setenv("MHSIP_HOME", str(home))
    monkeypatch.setenv("MHSIP_WAREHOUSE_URL", pg_warehouse)
    result = CliRunner().invoke(app, ["report", "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert "report:" in result.output
    rx2 = (tmp_path / "out" / "trusts" / "RX2.html").read_text(encoding="utf-8")
    assert "<svg" in rx2  # its SPC charts, drawn from PostgreSQL's marts
    assert (tmp_path / "out" / "feedback" / "RX2" / "2024-02.csv").exists()
    assert not (home / "published").exists() and not (home / "operators").exists()


def test_mhsip_report_on_an_unreachable_server_fails_with_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from mhsip.cli.app import app

    monkeypatch.setenv("MHSIP_HOME", str(tmp_path))
    monkeypatch.setenv("MHSIP_WAREHOUSE_URL", "postgresql://nobody@127.0.0.1:1/none")
    result = CliRunner().invoke(app, ["report"])
    assert result.exit_code == 1
    assert "cannot read the warehouse" in result.output
