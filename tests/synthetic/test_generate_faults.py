"""Every planted fault is recorded, and is in the file at the rows the manifest gives."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from synthetic.faults import BAD_ETHNIC_CATEGORIES, BAD_INTERVENTION_TYPES
from synthetic.nhs_numbers import is_valid
from tests.synthetic.helpers import Run, blank, read_generated
from transforms import codes
from transforms.trust_config import Registry


def test_nhs_numbers_valid_except_planted_faults(run: Run, registry: Registry) -> None:
    out, manifest = run
    planted = {
        (f.file, r) for f in manifest.faults if f.kind == "invalid_nhs_number" for r in f.rows
    }
    found = set()
    for record in manifest.files:
        trust = registry.trust(record.trust)
        frame, first = read_generated(out / record.path, trust, record.dataset)
        if "nhs_number" not in frame:
            continue
        bad = ~is_valid(frame["nhs_number"].astype(str).to_numpy())
        found |= {(record.path, int(i) + first) for i in np.flatnonzero(bad)}
    assert planted and found == planted


def _when(value: object, formats: list[str]) -> dt.datetime:
    if isinstance(value, dt.datetime):
        return value
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    if isinstance(value, dt.date):
        return dt.datetime.combine(value, dt.time())
    return dt.datetime.strptime(str(value), formats[0])


def test_every_recorded_fault_is_in_the_file_at_its_rows(run: Run, registry: Registry) -> None:
    out, manifest = run
    kinds = {f.kind for f in manifest.faults}
    assert {
        "nil_return",
        "wrong_month",
        "empty_ward_stays",
        "missing_required_column",
        "duplicate_row",
        "end_before_start",
        "invalid_nhs_number",
        "missing_ward_code",
        "invalid_intervention_type",
        "invalid_ethnic_category",
    } <= kinds
    for fault in manifest.faults:
        trust = registry.trust(fault.trust)
        frame, first = read_generated(out / fault.file, trust, fault.dataset)
        rows = [frame.iloc[r - first] for r in fault.rows]
        assert all(r >= first for r in fault.rows), fault
        if fault.kind in ("nil_return", "empty_ward_stays"):
            assert len(frame) == 0 and len(frame.columns) > 5
        elif fault.kind == "missing_required_column":
            column = fault.detail.split()[1]
            assert (
                column not in frame.columns and trust.header_for(fault.dataset, column) not in frame
            )
        elif fault.kind == "wrong_month":
            starts = [_when(v, trust.datetime_formats) for v in frame["start"]]
            assert starts and not any(
                s.year == 2024 and s.month == int(fault.month[-2:]) for s in starts
            )
        elif fault.kind == "invalid_intervention_type":
            assert all(r["intervention_type"] in BAD_INTERVENTION_TYPES for r in rows)
        elif fault.kind == "invalid_ethnic_category":
            assert all(r["ethnic_category"] in BAD_ETHNIC_CATEGORIES for r in rows)
        elif fault.kind.startswith("missing_"):
            column = fault.detail.split()[0]
            assert all(blank(r[column]) for r in rows), fault
        elif fault.kind == "duplicate_row":
            for r in fault.rows:
                above, row = frame.iloc[r - first - 1], frame.iloc[r - first]
                assert above.fillna("").astype(str).equals(row.fillna("").astype(str)), fault
        elif fault.kind == "end_before_start":
            start, end = (
                ("start", "end")
                if fault.dataset == "restrictive_interventions"
                else ("stay_start", "stay_end")
            )
            fmts = trust.datetime_formats if start == "start" else trust.date_formats
            assert all(_when(r[end], fmts) < _when(r[start], fmts) for r in rows), fault
        elif fault.kind == "invalid_nhs_number":
            assert not is_valid(np.array([str(r["nhs_number"]) for r in rows])).any()
        else:
            raise AssertionError(f"unchecked fault kind {fault.kind}")


def test_ethnicity_maps_to_national_codes_except_planted(run: Run, registry: Registry) -> None:
    out, manifest = run
    planted = {
        (f.file, r) for f in manifest.faults if f.kind == "invalid_ethnic_category" for r in f.rows
    }
    whole_file = {f.file for f in manifest.faults if not f.rows}
    found = set()
    for record in manifest.files:
        if record.path in whole_file:
            continue
        trust = registry.trust(record.trust)
        lookup = {k.lower(): v for k, v in registry.codes.lookup("ethnic_category").items()}
        lookup |= {k.lower(): v for k, v in trust.values.get("ethnic_category", {}).items()}
        frame, first = read_generated(out / record.path, trust, record.dataset)
        for i, value in enumerate(frame["ethnic_category"].astype(str)):
            if lookup.get(value.lower(), value) not in codes.ETHNIC_CATEGORIES:
                found.add((record.path, i + first))
    assert planted and found == planted
