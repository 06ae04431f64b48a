"""File-level rules: whether a whole derived file is rejected, plus file-level warnings.

Grain: one derived file (one trust, one reporting month, one dataset) and that trust and
dataset's load history. Each rule is one number against a threshold, so this is plain pandas,
not GX; the rule names live in `expectations.rules` like the rest. Read-time rejections
(`file_unreadable`, `file_empty`, `duplicate_columns`, `missing_required_columns`) are raised
earlier as `transforms.errors.FileRejected` and never reach this module.

Cells that a spreadsheet would run as a formula (`=HYPERLINK(...)`, `@SUM(...)`, `+cmd|...`) are
loaded as the text they are, and the trust is warned (`formula_like_cell`); anything that writes
such text into a spreadsheet must escape it (report/'s feedback writer does).

A header-only interventions file is a nil return (a real zero): it is exempt from the
row-count and duplicate-content rules (its bytes are often identical month to month) and is
warned about instead when recent months had interventions (`sudden_drop_to_zero`).
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from datetime import date
from typing import Final

import pandas as pd

from expectations.findings import Finding
from transforms.canonical import SOURCE_ROW, Dataset
from transforms.trust_config import TrustConfig

IN_MONTH_MIN_PERCENT: Final = 90
ROW_COUNT_MIN_PERCENT: Final = 20  # of the median of the last six months
ROW_COUNT_MAX_PERCENT: Final = 500
MIN_HISTORY_MONTHS: Final = 3
MAX_EXAMPLES: Final = 10
# OWASP CSV injection triggers; a sign followed by a digit is a number, not a formula.
FORMULA_LIKE: Final = r"^(?:\s*[=@]|[+\-][^0-9.\s]|[\t\r])"
# Every formula-like cell holds '=' or '@', or starts with '+', '-', tab or CR. pandas runs
# FORMULA_LIKE in Python cell by cell (its \s), this filter in pyarrow, so it goes first.
_MAYBE_FORMULA: Final = r"[=@]|^[+\-\t\r]"
_NOT_TEXT: Final = frozenset({SOURCE_ROW, "patient_key", "nhs_number_status"})


@dataclass(frozen=True)
class FileHistory:
    """What was loaded before, for this trust (and dataset, for row counts).

    `recent_row_counts`: rows loaded in each of the (up to) six loaded months before this one.
    `months_with_history`: how many months of this trust and dataset are loaded at all.
    `loaded_hashes_other_months`: SHA-256 of files loaded for *other* months of this trust.
    `recent_intervention_counts`: interventions loaded in the recent months (any order).
    """

    recent_row_counts: list[int] = field(default_factory=list)
    months_with_history: int = 0
    loaded_hashes_other_months: set[str] = field(default_factory=set)
    recent_intervention_counts: list[int] = field(default_factory=list)


def _month_name(reporting_month: date | None) -> str:
    return reporting_month.strftime("%Y-%m") if reporting_month else "the reporting month"


def _wrong_month(derived: pd.DataFrame, dataset: Dataset, month: str) -> Finding | None:
    """Share of dated rows in the month; undated rows are quarantined per row instead."""
    dated_column = "_start_at" if dataset == "restrictive_interventions" else "_stay_start"
    dated = derived[derived[dated_column].notna()]
    if dated.empty:
        return None
    in_month = dated["_in_month"].fillna(False).astype(bool)
    if int(in_month.sum()) * 100 >= IN_MONTH_MIN_PERCENT * len(dated):
        return None
    share = float(in_month.mean())
    what = "a start, end or open period" if dataset == "restrictive_interventions" else "a stay"
    outside = dated.loc[~in_month, SOURCE_ROW].astype(int).tolist()
    return Finding(
        "wrong_reporting_month",
        "reject_file",
        f"only {share:.0%} of rows ({int(in_month.sum())} of {len(dated)}) have {what} in "
        f"{month}; expected at least {IN_MONTH_MIN_PERCENT}%",
        count=len(outside),
        example_rows=tuple(outside[:MAX_EXAMPLES]),
    )


def _implausible_count(rows: int, trust: TrustConfig, history: FileHistory) -> Finding | None:
    if trust.accept_row_count_change or history.months_with_history < MIN_HISTORY_MONTHS:
        return None
    if not history.recent_row_counts:
        return None
    median = statistics.median(history.recent_row_counts[-6:])
    if median == 0:  # recent nil returns give no volume to compare with (found by the soak)
        return None
    # Integer percents, so exactly 20% and 500% are accepted (0.2 * 100 is not 20 in floats).
    if ROW_COUNT_MIN_PERCENT * median <= rows * 100 <= ROW_COUNT_MAX_PERCENT * median:
        return None
    return Finding(
        "implausible_row_count",
        "reject_file",
        f"{rows} rows against a median of {median:g} for the last "
        f"{len(history.recent_row_counts[-6:])} months ({rows / median:.0%} of it); expected "
        f"{ROW_COUNT_MIN_PERCENT}% to {ROW_COUNT_MAX_PERCENT}% unless the trust's "
        "accept_row_count_change flag is set",
        count=rows,
    )


def _drop_to_zero(history: FileHistory, month: str) -> Finding | None:
    recent = history.recent_intervention_counts
    if not recent or statistics.median(recent) <= 0:
        return None
    return Finding(
        "sudden_drop_to_zero",
        "warn",
        f"nil return for {month}, where the last {len(recent)} months had a median of "
        f"{statistics.median(recent):g} interventions",
        count=0,
    )


def _formula_like(derived: pd.DataFrame) -> Finding | None:
    """Rows with a text cell that starts like a spreadsheet formula (column names quoted only)."""
    columns = [c for c in derived.columns if not str(c).startswith("_") and c not in _NOT_TEXT]
    text = derived[columns].astype("str")
    if not _any_formula_like(text):  # most files: one cheap match instead of stacking
        return None
    # one vectorised match over every text cell (stack drops blanks), not one per column
    cells = text.reset_index(drop=True).stack()
    hits = cells[cells.str.match(FORMULA_LIKE, na=False)]
    if hits.empty:
        return None
    counts = hits.groupby(level=1).size()
    per_column = {c: int(counts[c]) for c in columns if c in counts.index}
    positions = sorted(set(hits.index.get_level_values(0)))
    rows = derived[SOURCE_ROW].iloc[positions].astype(int).tolist()
    shown = ", ".join(f"{column} ({n})" for column, n in per_column.items())
    return Finding(
        "formula_like_cell",
        "warn",
        f"{len(rows)} rows have cells starting with '=', '+', '-' or '@' that a spreadsheet "
        f"would run as a formula, in {shown}; loaded as plain text",
        count=len(rows),
        example_rows=tuple(rows[:MAX_EXAMPLES]),
    )


def _any_formula_like(text: pd.DataFrame) -> bool:
    """Whether any cell starts like a formula: one match over the columns end to end (True
    when there are no columns, leaving that case to the cell-by-cell check as before)."""
    if text.columns.empty:
        return True
    cells = pd.concat([column for _, column in text.items()])
    maybe = cells[cells.str.contains(_MAYBE_FORMULA, na=False)]
    return bool(maybe.str.match(FORMULA_LIKE, na=False).any())


def check_file(
    derived: pd.DataFrame,
    dataset: Dataset,
    trust: TrustConfig,
    file_sha256: str,
    history: FileHistory,
    *,
    reporting_month: date | None = None,
) -> list[Finding]:
    """File-level findings for one derived file: `reject_file` ones mean load nothing of it.

    `reporting_month` only names the month in messages.
    """
    month = _month_name(reporting_month)
    rows = len(derived)
    if rows == 0:
        if dataset == "ward_stays":
            detail = f"the ward stays file for {month} has a header but no rows"
            return [Finding("empty_ward_stays", "reject_file", detail, count=0)]
        nil = _drop_to_zero(history, month)
        return [nil] if nil else []
    findings = [
        _wrong_month(derived, dataset, month),
        _implausible_count(rows, trust, history),
        _formula_like(derived),
    ]
    if file_sha256 in history.loaded_hashes_other_months:
        findings.append(
            Finding(
                "duplicate_of_other_month",
                "reject_file",
                f"this file (sha256 {file_sha256[:12]}...) was already loaded for another "
                f"month of {trust.ods_code}",
            )
        )
    return [f for f in findings if f is not None]
