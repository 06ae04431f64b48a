"""The DQMI on the feedback and submissions pages, resubmission sentences, and the XLSX
feedback workbooks (opened back with openpyxl)."""

from __future__ import annotations

import re
from datetime import date
from html import unescape
from pathlib import Path

import pandas as pd
from openpyxl import load_workbook

from tests.report.helpers import INJECTION_DETAIL, QUARANTINE_RULE
from tests.warehouse.helpers import intervention, loaded, ri_frame, stay, ws_frame
from transforms.trust_config import CodeMaps, Registry
from warehouse.engine import open_warehouse
from warehouse.partition_load import PartitionLoad


def _page(site: Path, *parts: str) -> str:
    return site.joinpath(*parts).read_text(encoding="utf-8")


def test_feedback_page_shows_the_score_and_its_trend(site: Path) -> None:
    page = _page(site, "feedback", "RX2", "index.html")
    assert "Data-quality score" in page and "DQMI by month" in page
    assert page.count('class="chart spc-chart"') == 2  # one chart per dataset
    assert "Data items, 2024-04" in page  # the latest month's items
    assert "ethnic_category" in page


def test_the_submissions_page_summary_names_and_ranks_no_trust(site: Path) -> None:
    page = _page(site, "submissions.html")
    section = page[page.index("Data-quality score across the collaborative") :]
    assert "Median DQMI" in section and "2023-01" in section
    assert not re.search(r"\b(RX2|RNU|RWX)\b", section)


def _workbook_text(path: Path) -> tuple[dict[str, list[list[object]]], list[str]]:
    book = load_workbook(path)
    sheets = {s.title: [list(r) for r in s.iter_rows(values_only=True)] for s in book.worksheets}
    cells = [c for s in book.worksheets for r in s.iter_rows() for c in r]
    assert all(c.data_type != "f" for c in cells), "no formula cell"
    return sheets, [str(c.value) for c in cells if c.value is not None]


def test_each_month_has_a_workbook_with_every_rule_and_example_row(site: Path) -> None:
    folder = site / "feedback" / "RX2"
    csv_months = sorted(p.stem for p in folder.glob("*.csv"))
    assert sorted(p.stem for p in folder.glob("*.xlsx")) == csv_months
    sheets, text = _workbook_text(folder / "2024-02.xlsx")
    assert next(iter(sheets)) == "Summary"
    page = unescape(_page(site, "feedback", "RX2", "index.html"))
    month = page[page.index("<h2>2024-02") : page.index("<h2>2024-03")]
    for rule in (QUARANTINE_RULE, "reason_unrecognised"):
        assert rule in month
        sheet = next(rows for name, rows in sheets.items() if name.startswith(rule[:25]))
        examples = sheet[sheet.index(["example row", "detail"]) + 1 :]
        shown = [int(n) for n in re.findall(r"\d+", month.split(rule)[1].split("</tr>")[0])]
        assert all(row[0] in shown for row in examples), (rule, examples)
        assert all(f"row {row[0]}: " in str(row[1]) for row in examples)
    nhs = next(rows for name, rows in sheets.items() if name.startswith(QUARANTINE_RULE[:25]))
    assert [r[0] for r in nhs[nhs.index(["example row", "detail"]) + 1 :]] == list(range(40, 50))
    assert any(INJECTION_DETAIL in t for t in text)


def test_formula_like_text_is_escaped_in_the_workbook(site: Path) -> None:
    _, text = _workbook_text(site / "feedback" / "RX2" / "2024-03.xlsx")
    assert "'=1+2 rows against a median of 100" in text
    assert not any(t.startswith(("=", "+", "@")) for t in text)


def test_a_resubmission_is_told_on_the_trusts_feedback_page(tmp_path: Path) -> None:
    from report import build_report
    from tests.report.helpers import _trust

    jan = date(2024, 1, 1)
    registry = Registry(trusts={"RX2": _trust("RX2", "Sussex Partnership")},
                        codes=CodeMaps(maps={}))  # fmt: skip
    first = [intervention("RX2", jan, "I1", "1", "p1", "07"),
             intervention("RX2", jan, "I2", "1", "p2", "05")]  # fmt: skip
    ws = loaded("ward_stays", "RX2-2024-01-ws-a", ws_frame([stay("RX2", jan, "S1", 31, "p1")]))
    with open_warehouse(str(tmp_path / "live.duckdb"), lock_timeout_seconds=5) as wh:
        more = [*first, intervention("RX2", jan, "I3", "1", "p3", "07")]
        for sid, rows in (("RX2-2024-01-ri-a", first), ("RX2-2024-01-ri-b", more)):
            outcomes = [loaded("restrictive_interventions", sid, ri_frame(rows))]
            wh.replace_partition(PartitionLoad("RX2", jan, [*outcomes, ws]))
            wh.refresh_dimensions(registry)
            wh.refresh_marts([("RX2", jan)])
        changes = wh.query("SELECT * FROM etl_resubmission_change")
        full = tmp_path / "operators.duckdb"  # the report reads the operators' full copy
        wh.checkpoint_and_publish(tmp_path / "published.duckdb", full)
    assert set(changes["measure"]) >= {"interventions", "incidents", "people"}
    build_report(full, tmp_path / "site", registry)
    page = unescape(_page(tmp_path / "site", "feedback", "RX2", "index.html"))
    assert "Your resubmission of 2024-01 changed: " in page
    assert "interventions 2 → 3" in page and "people 2 → 3" in page
    assert isinstance(changes, pd.DataFrame)


def test_every_workbook_holds_every_rule_and_example_row_of_its_page(site: Path) -> None:
    """All trusts, all months: each (file, rule) row of the feedback page has a sheet listing
    exactly the example rows the page shows."""
    import csv

    for folder in sorted((site / "feedback").iterdir()):
        page = unescape(_page(folder, "index.html"))
        for path in sorted(folder.glob("*.csv")):
            with path.open(encoding="utf-8-sig", newline="") as handle:
                rows = [r for r in csv.DictReader(handle) if r["rule"]]
            sheets, _ = _workbook_text(path.with_suffix(".xlsx"))
            summary_rules = [r[9] for r in sheets["Summary"][1:] if r[9]]
            assert sorted(summary_rules) == sorted(r["rule"] for r in rows)
            rule_sheets = [s for name, s in sheets.items() if name != "Summary"]
            for row in rows:
                assert row["rule"] in page
                shown = [int(n) for n in row["example_rows"].split("; ") if n]
                matches = [s for s in rule_sheets if s[0][1] == row["rule"]
                           and s[2][1] == row["dataset"]]  # fmt: skip
                assert matches, (path, row["rule"])
                listed = [r[0] for s in matches for r in s[s.index(["example row", "detail"]) + 1:]
                          if isinstance(r[0], int)]  # fmt: skip
                assert set(shown) <= set(listed), (path, row["rule"])
