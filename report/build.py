"""`build_report`: write the static HTML report and the trusts' feedback files.

Layout under `out_dir` (every page opens from disk, offline; nothing is fetched):
  index.html                       collaborative overview (published-style numbers)
  equity.html                      collaborative rate ratios by ethnic group, age band, IMD
  comparison.html                  funnel plots: trusts, and each trust's wards
  submissions.html                 submission and data-quality matrix (trusts x months)
  trusts/<ODS>.html                SPC charts, ward links and equity for one trust
  wards/<ODS>/<ward>.html          SPC charts with change markers and measures for one ward
  feedback/<ODS>/index.html        rejected files and quarantined rows, by month
  feedback/<ODS>/<YYYY-MM>.csv     the same per month, for the trust's data lead
  feedback/<ODS>/<YYYY-MM>.xlsx    the same as a workbook: a summary and one sheet per rule
Rebuilding replaces the files it writes; stale files of trusts no longer configured stay.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from report import pages, quality, ward_pages
from report.comparison import comparison_body
from report.data import ReportData, read_warehouse
from report.feedback import feedback_body, feedback_rows, write_feedback_files
from report.html import page
from report.matrix import matrix_html
from report.unsorted import unsorted_html
from report.workbook import write_workbooks
from transforms.trust_config import WHOLE_TRUST, Registry


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def write_site(
    data: ReportData,
    out_dir: Path,
    trusts: list[tuple[str, str]],
    unsorted: Sequence[dict] = (),
) -> Path:
    """Write every page and feedback file for `trusts` ((code, name)); returns index.html.
    `unsorted`: collected files kept unsorted, listed under the submission matrix."""
    index = out_dir / "index.html"
    _write(
        index,
        page("Restrictive practice: collaborative overview", pages.overview_body(data, trusts)),
    )
    _write(out_dir / "equity.html", page("Equity of restrictive practice", pages.equity_body(data)))
    _write(
        out_dir / "comparison.html",
        page("Fair comparison: funnel plots", comparison_body(data, trusts)),
    )
    _write(
        out_dir / "submissions.html",
        page(
            "Submissions and data quality",
            matrix_html(data.submissions, trusts)
            + unsorted_html(unsorted)
            + quality.quality_summary(data.quality_scores),
        ),
    )
    for code, name in trusts:
        links = ward_pages.ward_links(data, code)
        markers = ward_pages.change_markers(data, code, WHOLE_TRUST)
        _write(
            out_dir / "trusts" / f"{code}.html",
            page(f"{code} {name}", pages.trust_body(data, code, name, links, markers), root="../"),
        )
        for ward in ward_pages.wards_of(data, code):
            _write(
                out_dir / "wards" / code / ward_pages.ward_file(ward),
                page(
                    f"{code} {name}: ward {ward}",
                    ward_pages.ward_body(data, code, name, ward),
                    root="../../",
                ),
            )
        rows = feedback_rows(data, code)
        folder = out_dir / "feedback" / code
        write_feedback_files(rows, folder)
        write_workbooks(rows, folder)
        _write(
            folder / "index.html",
            page(
                f"Data-quality feedback: {code} {name}",
                quality.changes_section(data.changes, code)
                + quality.quality_section(data.quality_scores, data.quality_items, code)
                + feedback_body(rows, name),
                root="../../",
            ),
        )
    return index


def build_report(
    source: str | Path, out_dir: Path, registry: Registry, unsorted: list[dict] | None = None
) -> Path:
    """Build the report from a PostgreSQL warehouse URL or a DuckDB file (the operators' full
    copy, `mhsip nightly` publishes it); returns index.html. `unsorted`: landing problems of
    collected files that could not be placed, listed on the submissions page.

    Trusts come from the registry (every configured trust appears, with or without data).
    """
    data = read_warehouse(source)
    trusts = [
        (t.ods_code, t.name) for t in sorted(registry.trusts.values(), key=lambda t: t.ods_code)
    ]
    return write_site(data, Path(out_dir), trusts, unsorted or [])
