"""Properties over reading, validation and standardisation with arbitrary input (hypothesis).

Complements tests/transforms/test_properties.py (mapping and preparation over arbitrary text):
here arbitrary bytes and CSV grids through `read_table`, arbitrary codes through the row rules,
and the message and formula helpers that must hold for any text.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from expectations.details import quote
from expectations.file_rules import FORMULA_LIKE
from expectations.validate import validate_rows
from tests.transforms.helpers import derived, trust
from transforms import codes
from transforms.errors import FileRejected
from transforms.read import read_table
from transforms.standardise import age_band, derived_gender

FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
CELL = st.text(
    st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=12
)
HEADER = st.from_regex(r"[A-Za-z][A-Za-z _]{0,10}", fullmatch=True)
OCTOBER = dt.date(2024, 10, 1)
RI_ROW = {
    "patient_key": "k" * 64, "nhs_number_status": "valid", "incident_id": "I1",
    "date_of_birth": "1990-06-15", "ethnic_category": "A", "ward_code": "W1",
    "intervention_type": "05", "start": "2024-10-10 10:00:00", "end": "2024-10-10 10:30:00",
}  # fmt: skip


@FAST
@given(content=st.binary(max_size=400), fmt=st.sampled_from(["csv", "xlsx", "parquet"]))
def test_arbitrary_bytes_are_read_or_rejected_by_a_named_rule(content: bytes, fmt: str) -> None:
    try:
        frame = read_table(content, f"f.{fmt}", trust(format=fmt))
    except FileRejected as exc:
        assert exc.rule in {"file_unreadable", "file_empty", "duplicate_columns",
                            "missing_required_columns", "file_too_large"}  # fmt: skip
        return
    rows = frame["source_row_number"].tolist()
    assert rows == sorted(set(rows)) and all(r >= 2 for r in rows)
    assert all(frame[c].dtype == "str" for c in frame.columns if c != "source_row_number")


@FAST
@given(st.data())
def test_any_csv_grid_round_trips_as_trimmed_text(data: st.DataObject) -> None:
    """Quotes, delimiters, newlines and formula-like text in cells come back as the same text."""
    headers = data.draw(
        st.lists(HEADER, min_size=1, max_size=4, unique_by=lambda h: " ".join(h.split()).casefold())
    )
    body = data.draw(
        st.lists(st.lists(CELL, min_size=len(headers), max_size=len(headers)), max_size=5)
    )
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows([headers, *body])  # quotes CR and LF
    frame = read_table(buffer.getvalue().encode(), "f.csv", trust())
    expected = [
        [c.strip() or None for c in row] for row in body
        if any(c.strip() for c in row)
    ]  # fmt: skip
    got = frame.drop(columns="source_row_number").astype(object)
    assert got.where(got.notna(), None).to_numpy().tolist() == expected


@settings(max_examples=8, deadline=None)
@given(
    types=st.lists(
        st.one_of(st.sampled_from(sorted(codes.INTERVENTION_TYPES)), CELL), min_size=1, max_size=6
    ),
    ethnic=st.lists(
        st.one_of(st.sampled_from(sorted(codes.ETHNIC_CATEGORIES)), CELL), min_size=6, max_size=6
    ),
)
def test_every_national_code_passes_and_every_other_value_is_quarantined_or_warned(
    types: list[str], ethnic: list[str]
) -> None:
    """A bad intervention type cannot be counted: quarantined. A bad ethnicity can: the row
    loads as Unknown and the ethnicity warning names it (issue 12)."""
    rows = [
        {**RI_ROW, "intervention_id": str(i), "intervention_type": t, "ethnic_category": ethnic[i]}
        for i, t in enumerate(types)
    ]
    frame = derived("restrictive_interventions", rows, OCTOBER)
    result = validate_rows(frame, "restrictive_interventions", trust())
    rules = result.quarantine.groupby("source_row_number")["rule"].agg(set).to_dict()
    warned = {w.rule: set(w.example_rows) for w in result.warnings}
    for i, (t, e) in enumerate(zip(types, ethnic, strict=False)):
        broken = rules.get(i + 2, set())
        assert ("intervention_type_invalid" in broken) == (t not in codes.INTERVENTION_TYPES)
        assert "ethnic_category_invalid" not in broken
        named = i + 2 in warned.get("ethnic_category_invalid", set())
        assert named == (e not in codes.ETHNIC_CATEGORIES)


@FAST
@given(
    stated=st.lists(st.one_of(st.none(), CELL), min_size=3, max_size=3),
    identity=st.lists(st.one_of(st.none(), CELL), min_size=3, max_size=3),
    ages=st.lists(st.one_of(st.none(), st.integers(-500, 500)), min_size=3, max_size=3),
)
def test_derived_fields_are_always_in_their_code_sets(
    stated: list[str | None], identity: list[str | None], ages: list[int | None]
) -> None:
    gender = derived_gender(pd.Series(stated, dtype="str"), pd.Series(identity, dtype="str"))
    assert set(gender) <= set(codes.DERIVED_GENDER)
    bands = age_band(pd.Series(ages, dtype="Int64"))
    assert set(bands) <= {label for label, _ in codes.AGE_BANDS} | {codes.AGE_BAND_UNKNOWN}


@FAST
@given(text=st.text(max_size=80))
def test_quoted_text_never_shows_an_nhs_number_or_starts_a_formula(text: str) -> None:
    shown = quote(text)
    assert not re.search(r"\d{3}[\s-]?\d{3}[\s-]?\d{4}", shown)
    assert len(shown) <= 42
    assert shown[0] in {"'", "b", "("}  # 'text', blank, (value withheld): never = + - @


@FAST
@given(text=st.text(max_size=20), number=st.decimals(allow_nan=False, allow_infinity=False))
def test_formula_rule_flags_formula_starts_but_not_signed_numbers(text: str, number) -> None:
    assert re.match(FORMULA_LIKE, "=" + text) and re.match(FORMULA_LIKE, "@" + text)
    assert not re.match(FORMULA_LIKE, f"{number:+}")
