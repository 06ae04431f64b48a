"""Properties of mapping and preparation over arbitrary text (hypothesis)."""

from __future__ import annotations

import datetime as dt

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.transforms.helpers import KEY, NO_SYNONYMS, trust
from transforms.canonical import FIELDS, mapped_columns
from transforms.derive import derive_fields
from transforms.mapping import NATIONAL, map_to_canonical

CODED = sorted(n for n in NATIONAL if n in {f.name for f in FIELDS["restrictive_interventions"]})
DATES = ["date_of_birth", "start", "end"]
TEXT = st.one_of(st.none(), st.text(max_size=12), st.sampled_from(["  ", "2024-13-45", "99", "a1"]))
TRUST = trust(date_formats=["%d/%m/%Y"], datetime_formats=["%d/%m/%Y %H:%M", "%Y-%m-%d %H:%M:%S"])


def _raw(columns: dict[str, list[str | None]], n: int) -> pd.DataFrame:
    base: dict[str, list[str | None]] = {
        "incident_id": ["I"] * n,
        "intervention_id": [str(i) for i in range(n)],
        "local_patient_id": ["P"] * n,
        "ward_code": ["W"] * n,
        **{name: [None] * n for name in CODED + DATES},
    }
    base.update(columns)
    frame = pd.DataFrame(base, dtype="str")
    frame["source_row_number"] = range(2, n + 2)
    return frame


@settings(max_examples=40, deadline=None)
@given(st.data())
def test_arbitrary_text_in_coded_and_date_fields_never_raises(data: st.DataObject) -> None:
    n = data.draw(st.integers(min_value=1, max_value=4))
    columns = {name: data.draw(st.lists(TEXT, min_size=n, max_size=n)) for name in CODED + DATES}
    result = map_to_canonical(
        _raw(columns, n), "restrictive_interventions", TRUST, NO_SYNONYMS, KEY
    )
    assert list(result.frame.columns) == mapped_columns("restrictive_interventions")
    derived = derive_fields(result.frame, "restrictive_interventions", dt.date(2024, 10, 1))
    assert len(derived) == n
    assert derived["_in_month"].dtype == bool


def test_every_national_code_maps_to_itself() -> None:
    for name in CODED:
        codes = sorted(NATIONAL[name])
        raw = _raw({name: list(codes)}, len(codes))
        result = map_to_canonical(raw, "restrictive_interventions", TRUST, NO_SYNONYMS, KEY)
        assert result.frame[name].tolist() == codes, name
        assert name not in result.unmapped


@settings(max_examples=50, deadline=None)
@given(name=st.sampled_from(CODED), text=st.text(min_size=1, max_size=8))
def test_anything_not_national_after_mapping_is_reported(name: str, text: str) -> None:
    result = map_to_canonical(
        _raw({name: [text]}, 1), "restrictive_interventions", TRUST, NO_SYNONYMS, KEY
    )
    value = result.frame[name].iloc[0]
    if pd.isna(value):
        assert not text.strip()
    elif value in NATIONAL[name]:
        assert name not in result.unmapped
    else:
        assert result.unmapped[name] == {text.strip(): 1}
