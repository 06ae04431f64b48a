"""Short sentences that tell a trust why one row was quarantined, quoting the offending value.

One sentence per (row, rule); the row is a mapping of the derived frame's columns. A sentence
never contains a patient identifier, patient_key or date of birth (those say "(value withheld)"),
and any quoted text that `transforms.screening` finds identifier-like is withheld too, in case a
trust's columns were shifted (the trust's own local id pattern is applied to the whole sentence
when the outcome is made, `flows/outcomes.py`). Quoted text is cut to 40 characters.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Final

import pandas as pd

from transforms.screening import MARKER, screen_text
from transforms.xlsx_traps import EXCEL_ERRORS

WITHHELD: Final = "(value withheld)"
_MAX_QUOTE: Final = 40

_KEYS: Final = (
    ("incident id", "incident_id"), ("intervention id", "intervention_id"),
    ("ward stay id", "ward_stay_id"), ("ward code", "ward_code"),
)  # fmt: skip

Row = Mapping[Any, Any]  # one derived-frame row: column name -> value


def _missing(value: Any) -> bool:
    return value is None or (not isinstance(value, (list, tuple)) and bool(pd.isna(value)))


def quote(value: Any) -> str:
    """A value as `'text'` for a message: blank, withheld if it looks like an NHS number, cut."""
    if _missing(value):
        return "blank"
    text = str(value)
    if text == MARKER or screen_text(text) != text:
        return WITHHELD
    if len(text) > _MAX_QUOTE:
        text = text[: _MAX_QUOTE - 3] + "..."
    return f"'{text}'"


def _date(value: Any) -> str:
    if _missing(value):
        return "blank"
    return str(pd.Timestamp(value).date())


def _coded(label: str, column: str, codes: str) -> Callable[[Row], str]:
    def detail(row: Row) -> str:
        if _missing(row[column]):
            return f"{label} is blank"
        return f"{label} {quote(row[column])} is not a national code ({codes})"

    return detail


def _datetime_text(label: str, column: str, kind: str) -> Callable[[Row], str]:
    def detail(row: Row) -> str:
        if _missing(row[column]):
            return f"{label} is blank"
        return f"{label} {quote(row[column])} is not a {kind}"

    return detail


def _blank(label: str) -> Callable[[Row], str]:
    return lambda row: f"{label} is blank"


DETAILS: Final[dict[str, Callable[[Row], str]]] = {
    "identifier_in_key_column": lambda r: (
        ", ".join(label for label, column in _KEYS if column in r and r[column] == MARKER)
        + " held a value that looks like an NHS number or local patient id (withheld)"
    ),
    "excel_error_cell": lambda r: "; ".join(
        f"{column} holds the Excel error {value}"
        for column, value in r.items()
        if isinstance(value, str) and value in EXCEL_ERRORS and not str(column).startswith("_")
    ),
    "start_before_1900": lambda r: f"start {quote(r['start'])} is before 1900",
    "end_after_arrival": lambda r: f"end {quote(r['end'])} is after the day the file arrived",
    "duration_implausible": lambda r: (
        f"start {quote(r['start'])} to end {quote(r['end'])} is"
        f" {r['_duration_minutes']:,.0f} minutes, longer than possible for its type"
    ),
    "incident_id_missing": _blank("incident_id"),
    "intervention_id_missing": _blank("intervention_id"),
    "duplicate_intervention": lambda r: (
        f"incident {quote(r['incident_id'])} intervention {quote(r['intervention_id'])}"
        " repeats an earlier row"
    ),
    "ward_stay_id_missing": _blank("ward_stay_id"),
    "duplicate_ward_stay": lambda r: f"ward stay {quote(r['ward_stay_id'])} repeats an earlier row",
    "patient_id_missing": lambda r: "neither a valid NHS number nor a local patient id is given",
    "nhs_number_invalid": lambda r: f"NHS number {WITHHELD} fails the modulus 11 check",
    "date_of_birth_missing_or_invalid": lambda r: (
        f"date of birth {WITHHELD} is blank or not a date"
    ),
    "date_of_birth_after_event": lambda r: (
        f"date of birth {WITHHELD} is after the event date {_date(r['_event_date'])}"
    ),
    "age_over_120": lambda r: (
        f"age {r['_age_years']} on {_date(r['_event_date'])} is over 120 (date of birth {WITHHELD})"
    ),
    "ethnic_category_invalid": _coded("ethnic category", "ethnic_category", "A-S, Z, 99"),
    "ward_code_missing": _blank("ward code"),
    "intervention_type_invalid": _coded("intervention type", "intervention_type", "01, 04-17"),
    "start_missing_or_invalid": _datetime_text("start", "start", "date and time"),
    "end_invalid": _datetime_text("end", "end", "date and time"),
    "end_before_start": lambda r: f"end {quote(r['end'])} is before start {quote(r['start'])}",
    "outside_reporting_month": lambda r: (
        f"start {quote(r['start'])} is after the reporting month"  # open, so not before it
        if _missing(r["end"])
        else f"start {quote(r['start'])} and end {quote(r['end'])} are outside the reporting month"
    ),
    "stay_start_missing_or_invalid": _datetime_text("stay start", "stay_start", "date"),
    "stay_start_after_month_end": lambda r: (
        f"stay start {quote(r['stay_start'])} is after the reporting month"
    ),
    "stay_end_invalid": _datetime_text("stay end", "stay_end", "date"),
    "stay_end_before_stay_start": lambda r: (
        f"stay end {quote(r['stay_end'])} is before stay start {quote(r['stay_start'])}"
    ),
    "stay_end_before_month_start": lambda r: (
        f"stay end {quote(r['stay_end'])} is before the reporting month"
    ),
}


def row_detail(rule: str, row: Row) -> str:
    """The sentence for `rule` on `row`; rules without a template get a generic sentence."""
    builder = DETAILS.get(rule)
    return builder(row) if builder else f"row breaks rule {rule}"
