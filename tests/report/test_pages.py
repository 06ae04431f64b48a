"""The built site: overview numbers are suppressed, the matrix shows latest versions, links work."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from pathlib import Path

import pandas as pd

from report.matrix import latest_versions, matrix_html
from tests.report.helpers import overprinted_labels


def cells(html: str, first: str) -> list[str]:
    row = re.search(rf"<tr><td>{re.escape(first)}</td>(.*?)</tr>", html)
    assert row, first
    return re.findall(r"<td[^>]*>(.*?)</td>", row.group(1))


def test_overview_publishes_suppressed_numbers(site: Path) -> None:
    html = (site / "index.html").read_text(encoding="utf-8")
    # RX2, May 2023 - Apr 2024: 199 interventions over 13,200 OBD (15.08 per 1,000) -> 200 and 15;
    # April 2024: 22 / 1,100 OBD = 20 per 1,000.
    assert cells(html, "RX2 Sussex Partnership") == [
        "16", "200", "15", "2024-04", "20", "Special cause concern (higher)", "Target hit or miss",
    ]  # fmt: skip
    assert cells(html, "RWX Berkshire Healthcare")[0] == "0"
    assert ">199<" not in html


def test_every_relative_link_resolves(site: Path) -> None:
    pages = list(site.rglob("*.html"))
    # top pages, trust pages, feedback pages, ward pages (W1 and W2 of RX2 and RNU)
    assert len(pages) == 4 + 3 + 3 + 4, sorted(str(p.relative_to(site)) for p in pages)
    for page in pages:
        for href in re.findall(r'href="([^"]+)"', page.read_text(encoding="utf-8")):
            target, _, anchor = href.partition("#")
            assert (page.parent / target).resolve().is_file(), (page, href)
            if anchor:  # the section it points to exists
                text = (page.parent / target).resolve().read_text(encoding="utf-8")
                assert f'id="{anchor}"' in text, (page, href)


def test_no_chart_on_any_page_overprints_its_tick_labels(site: Path) -> None:
    charts = 0
    for page in site.rglob("*.html"):
        for chart in re.findall(r"<svg class=\"chart .*?</svg>", page.read_text(encoding="utf-8")):
            charts += 1
            assert overprinted_labels(chart) == [], page
    assert charts > 20


def test_matrix_shows_the_latest_version_of_each_dataset() -> None:
    subs = pd.DataFrame([
        {"submission_id": "a", "trust_code": "RX2", "reporting_month": date(2024, 1, 1),
         "dataset": "restrictive_interventions", "status": "loaded", "rows_quarantined": 2,
         "rejection_rule": None, "received_at": datetime(2024, 2, 1, tzinfo=UTC),
         "processed_at": datetime(2024, 2, 1, tzinfo=UTC)},
        {"submission_id": "b", "trust_code": "RX2", "reporting_month": date(2024, 1, 1),
         "dataset": "restrictive_interventions", "status": "rejected", "rows_quarantined": 0,
         "rejection_rule": "file_unreadable", "received_at": datetime(2024, 2, 9, tzinfo=UTC),
         "processed_at": datetime(2024, 2, 9, tzinfo=UTC)},
        {"submission_id": "c", "trust_code": "RX2", "reporting_month": date(2024, 2, 1),
         "dataset": "ward_stays", "status": "loaded", "rows_quarantined": 3,
         "rejection_rule": None, "received_at": datetime(2024, 3, 1, tzinfo=UTC),
         "processed_at": datetime(2024, 3, 1, tzinfo=UTC)},
    ])  # fmt: skip
    assert latest_versions(subs)["submission_id"].tolist() == ["b", "c"]
    html = matrix_html(subs, [("RX2", "Sussex"), ("RNU", "Oxford")])
    assert '<td class="cell-rejected">RI &#10007; file_unreadable<br>WS &middot;</td>' in html
    assert '<td class="cell-quarantined">RI &middot;<br>WS &#10003; 3 quarantined</td>' in html
    assert html.count('<td class="cell-missing"') == 2  # RNU has nothing in either month


def test_the_notes_state_each_measure_s_definition_denominator_and_rules(site: Path) -> None:
    """Issue 12: the report says what each published number is and when it is withheld."""
    html = (site / "index.html").read_text(encoding="utf-8")
    notes = html[html.index("Notes on the numbers") :]
    for heading in ("Definition", "Denominator", "Completeness", "Suppression"):
        assert f"<th>{heading}</th>" in notes
    for measure in ("Interventions", "People", "Rate per 1,000 occupied bed days", "Rate ratio",
                    "SPC charts"):  # fmt: skip
        assert f"<td>{measure}</td>" in notes
    assert "never 0" in notes and "fewer than 5 people" in notes
