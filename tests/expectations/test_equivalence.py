"""Rewritten validation helpers give exactly what the code they replaced gave.

Each `_reference_*` is the previous implementation, kept verbatim, fed the same input.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from expectations.details import row_detail
from expectations.failures import Failure
from expectations.file_rules import FORMULA_LIKE, MAX_EXAMPLES, _formula_like
from expectations.findings import Finding
from expectations.rules import RULES
from expectations.validate import _RULE_ORDER, QUARANTINE_COLUMNS, _quarantine
from tests.expectations.helpers import ri_frame, ws_frame
from transforms.canonical import SOURCE_ROW

pytestmark = pytest.mark.filterwarnings("ignore:Could not infer format:UserWarning")
_NOT_TEXT = frozenset({SOURCE_ROW, "patient_key", "nhs_number_status"})
CELL = st.sampled_from(
    ["=1+1", " =A1", "@SUM(A1)", "+cmd|x", "-2", "+4", "-x", "\tx", "\rx", "ok", "", " ", "é=",
     "943 476 5919", "2024-02-10 12:00:00", "1990-13-45", "\u2003=x", "\x0b@a", "+\u00a0", "-\t"]
) | st.text(max_size=4)  # fmt: skip
COLUMNS = ["ward_code", "incident_id", "start", "ethnic_category", "end", "date_of_birth"]


def _reference_formula_like(derived: pd.DataFrame) -> Finding | None:
    columns = [c for c in derived.columns if not str(c).startswith("_") and c not in _NOT_TEXT]
    cells = derived[columns].astype("str").reset_index(drop=True).stack()
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


def _reference_quarantine(frame: pd.DataFrame, failures: list[Failure]) -> pd.DataFrame:
    pairs = sorted(
        {(i, f.rule) for f in failures if f.severity == "quarantine_row" for i in f.indexes},
        key=lambda pair: (pair[0], _RULE_ORDER[pair[1]]),
    )
    indexes = sorted({index for index, _ in pairs})
    rows = dict(zip(indexes, frame.loc[indexes].to_dict("records"), strict=True))
    records = [
        (int(rows[index][SOURCE_ROW]), rule, row_detail(rule, rows[index])) for index, rule in pairs
    ]
    table = pd.DataFrame.from_records(records, columns=QUARANTINE_COLUMNS)
    return table.astype({SOURCE_ROW: "int64", "rule": "str", "detail": "str"})


def _rows(data: st.DataObject, columns: list[str]) -> list[dict[str, Any]]:
    n = data.draw(st.integers(1, 6))
    return [
        {c: data.draw(CELL | st.none()) for c in data.draw(st.sets(st.sampled_from(columns)))}
        for _ in range(n)
    ]


@settings(max_examples=100, deadline=None)
@given(st.data())
def test_formula_like_matches_the_stacking_version(data: st.DataObject) -> None:
    frame = ri_frame(_rows(data, COLUMNS))
    assert _formula_like(frame) == _reference_formula_like(frame)


def test_formula_like_of_a_frame_without_text_columns_fails_as_before() -> None:
    frame = ri_frame([{}])[[SOURCE_ROW, "_in_month"]]
    for function in (_formula_like, _reference_formula_like):
        with pytest.raises(AttributeError):
            function(frame)


def _quarantine_rules(dataset: str) -> list[str]:
    return sorted(
        name
        for name, rule in RULES.items()
        if rule.severity == "quarantine_row" and rule.dataset in (None, dataset)
    )


@settings(max_examples=100, deadline=None)
@given(st.data())
def test_quarantine_matches_the_from_records_version(data: st.DataObject) -> None:
    dataset, build = data.draw(
        st.sampled_from([("restrictive_interventions", ri_frame), ("ward_stays", ws_frame)])
    )
    frame = build(_rows(data, ["ward_code", "date_of_birth"]))
    failures = [
        Failure(
            data.draw(st.sampled_from(_quarantine_rules(dataset))),
            data.draw(st.sampled_from(["quarantine_row", "warn"])),
            None,
            tuple(data.draw(st.lists(st.integers(0, len(frame) - 1), max_size=4))),
        )
        for _ in range(data.draw(st.integers(0, 3)))
    ]
    pd.testing.assert_frame_equal(
        _quarantine(frame, failures),
        _reference_quarantine(frame, failures),
        check_exact=True,
        check_column_type=True,
    )
