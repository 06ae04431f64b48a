"""Batched transforms (a chunk of months at once) give every file exactly its file-alone result.

The files differ in the ways that matter to batching: their months (in-month, age, bed days and
the reporting month depend on them), a missing required column (rejected alone, the others go
on), a key repeated within a file (a repeat) and across files (not a repeat), an open seclusion,
both clock changes, and a header-only nil return. Synthetic identifiers only.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

import pandas as pd
import pytest

from tests.transforms.helpers import KEY, trust
from transforms.canonical import Dataset
from transforms.derive import derive_fields, derive_many
from transforms.errors import FileRejected
from transforms.mapping import MappingResult, map_many, map_to_canonical
from transforms.screening import MARKER
from transforms.standardise import (
    standardise_interventions,
    standardise_many,
    standardise_ward_stays,
)
from transforms.trust_config import CodeMaps

RI: Dataset = "restrictive_interventions"
WS: Dataset = "ward_stays"
NHS_VALID = "943 476 5919"
TRUST = trust(
    date_formats=["%d/%m/%Y"],
    datetime_formats=["%d/%m/%Y %H:%M"],
    columns={
        RI: {"incident_id": "Incident Ref", "intervention_type": "RI Type", "nhs_number": "NHS No"},
        WS: {"nhs_number": "NHS No"},
    },
    values={"intervention_type": {"Prone restraint": "01"}},
)
CODES = CodeMaps(maps={"intervention_type": {"Seclusion": "05"}, "gender": {"male": "1"}})
IMD = {"E01000001": 3}
Row = Mapping[str, str | None]
OCT, NOV, DEC, JAN, MAR = (dt.date(*ym, 1) for ym in [(2024, 10), (2024, 11), (2024, 12),
                                                      (2025, 1), (2025, 3)])  # fmt: skip


def _raw(rows: Sequence[Row], drop: tuple[str, ...] = ()) -> pd.DataFrame:
    """A raw RI file in TRUST's headers: every column present (minus `drop`), rows from 2."""
    base = {
        "Incident Ref": "I1", "intervention_id": "1", "NHS No": NHS_VALID,
        "local_patient_id": None, "date_of_birth": "15/11/1990", "gender": "male",
        "ethnic_category": "A", "lsoa": "E01000001", "ward_code": "W1", "RI Type": "Seclusion",
        "start": "02/10/2024 10:00", "end": "02/10/2024 10:30", "lda_flag": "N",
    }  # fmt: skip
    columns = [c for c in base if c not in drop]
    frame = pd.DataFrame([{**base, **row} for row in rows], columns=columns, dtype="str")
    frame["source_row_number"] = pd.Series(range(2, len(frame) + 2), dtype="int64")
    return frame


RI_FILES = [
    (  # October: a within-file repeat, the October clock change (01:50 -> 01:10 BST/GMT)
        OCT,
        _raw(
            [
                {},
                {
                    "intervention_id": "3",
                    "RI Type": "Prone restraint",
                    "start": "27/10/2024 01:50",
                    "end": "27/10/2024 01:10",
                },
                {"intervention_id": "2", "RI Type": "Headlock", "ethnic_category": "9434765919"},
                {},
            ]
        ),
    ),
    (  # November: I1/1 again (a repeat of October's key, not within this file); open seclusion
        NOV,
        _raw(
            [
                {"start": "30/11/2024 22:00", "end": None},
                {"Incident Ref": "I2", "start": "2024-11-03 09:00:00", "end": "03/11/2024 09:05"},
            ]
        ),
    ),
    (DEC, _raw([{"start": "02/12/2024 10:00"}], drop=("RI Type",))),  # rejected alone
    (JAN, _raw([])),  # header-only nil return
    (  # March: 01:30 on the clock-change night does not exist; read as 02:30 BST
        MAR,
        _raw([{"RI Type": "1", "start": "30/03/2025 01:30", "end": "30/03/2025 03:00"}]),
    ),
]


def _alone(raw: pd.DataFrame) -> MappingResult | FileRejected:
    try:
        return map_to_canonical(raw, RI, TRUST, CODES, KEY)
    except FileRejected as exc:
        return exc


def _mapped_ri() -> list[MappingResult | FileRejected]:
    return map_many([raw for _, raw in RI_FILES], RI, TRUST, CODES, KEY)


def test_map_many_equals_each_file_mapped_alone() -> None:
    batched = _mapped_ri()
    for one, alone in zip(batched, map(_alone, [raw for _, raw in RI_FILES]), strict=True):
        if isinstance(alone, FileRejected):
            assert isinstance(one, FileRejected)
            assert (one.rule, one.message) == (alone.rule, alone.message)
        else:
            assert isinstance(one, MappingResult)
            pd.testing.assert_frame_equal(one.frame, alone.frame)
            assert one.unmapped == alone.unmapped
    october, november, december, january, march = batched
    assert isinstance(december, FileRejected) and december.rule == "missing_required_columns"
    assert isinstance(october, MappingResult) and isinstance(november, MappingResult)
    assert october.unmapped == {
        "intervention_type": {"Headlock": 1},
        "ethnic_category": {MARKER: 1},
    }
    assert november.unmapped == {}
    assert october.frame["intervention_type"].tolist() == ["05", "01", "Headlock", "05"]
    assert november.frame["end"].tolist()[1] == "2024-11-03 09:05:00"
    assert isinstance(january, MappingResult) and len(january.frame) == 0
    assert isinstance(march, MappingResult) and march.frame["intervention_type"].tolist() == ["01"]


def test_map_many_with_every_file_rejected_or_none() -> None:
    assert map_many([], RI, TRUST, CODES, KEY) == []
    (only,) = map_many([RI_FILES[2][1]], RI, TRUST, CODES, KEY)
    assert isinstance(only, FileRejected) and only.rule == "missing_required_columns"


def _derived_ri() -> tuple[list[pd.DataFrame], list[dt.date]]:
    kept = [
        (month, result.frame)
        for (month, _), result in zip(RI_FILES, _mapped_ri(), strict=True)
        if isinstance(result, MappingResult)
    ]
    months = [month for month, _ in kept]
    return derive_many([frame for _, frame in kept], RI, months), months


def test_derive_many_equals_each_file_derived_alone() -> None:
    mapped = [r.frame for r in _mapped_ri() if isinstance(r, MappingResult)]
    mapped[1] = mapped[1].set_axis([10, 11])  # an index of its own is kept, as alone
    months = [OCT, NOV, JAN, MAR]
    batched = derive_many(mapped, RI, months)
    for one, frame, month in zip(batched, mapped, months, strict=True):
        pd.testing.assert_frame_equal(one, derive_fields(frame, RI, month))
    october, november, january, march = batched
    assert october["_is_repeat"].tolist() == [False, False, False, True]
    assert november["_is_repeat"].tolist() == [False, False]  # I1/1 was October's, not its own
    assert october["_duration_minutes"].tolist()[1] == 20.0  # across the October change
    assert november["_in_month"].tolist() == [True, True]
    assert pd.isna(november["_duration_minutes"].tolist()[0])  # open seclusion
    assert march["_start_at"].tolist() == [pd.Timestamp("2025-03-30 01:30", tz="UTC")]
    assert march["_duration_minutes"].tolist() == [30.0]
    assert october["_age_years"].tolist() == [33, 33, 33, 33]
    assert november["_age_years"].tolist() == [34, 33]  # birthday 15 November
    assert len(january) == 0 and list(january.columns) == list(october.columns)


def test_derive_many_keeps_each_files_column_types_when_they_differ() -> None:
    mapped = [r.frame for r in _mapped_ri() if isinstance(r, MappingResult)][:2]
    mapped[0] = mapped[0].astype({"incident_id": object})
    batched = derive_many(mapped, RI, [OCT, NOV])
    assert batched[0]["incident_id"].dtype == object
    assert batched[1]["incident_id"].dtype == "str"
    for one, frame, month in zip(batched, mapped, [OCT, NOV], strict=True):
        pd.testing.assert_frame_equal(one, derive_fields(frame, RI, month))


def test_derive_many_needs_one_month_per_file() -> None:
    with pytest.raises(ValueError, match="2 files but 1 reporting months"):
        derive_many([pd.DataFrame(), pd.DataFrame()], RI, [OCT])


def test_standardise_many_interventions_equal_each_file_alone() -> None:
    derived, months = _derived_ri()
    batched = standardise_many(derived, RI, "RX2", months, IMD)
    for one, frame, month in zip(batched, derived, months, strict=True):
        pd.testing.assert_frame_equal(one, standardise_interventions(frame, "RX2", month, IMD))
    october, november, january, march = batched
    assert [f["reporting_month"].tolist() for f in (october, november, march)] == [
        [OCT] * 4, [NOV] * 2, [MAR],
    ]  # fmt: skip
    assert november["is_open_at_month_end"].tolist() == [True, False]
    assert october["is_prone"].tolist() == [False, True, False, False]
    assert october["imd_decile"].tolist() == [3, 3, 3, 3]
    assert len(january) == 0


def _mapped_stays(rows: Sequence[Row]) -> pd.DataFrame:
    """A mapped ward-stays file: one open stay S1 from 20 October unless a row says otherwise."""
    base = {
        "ward_stay_id": "S1", "NHS No": NHS_VALID, "date_of_birth": "15/11/1990",
        "ethnic_category": "M", "ward_code": "W1", "stay_start": "20/10/2024", "stay_end": None,
    }  # fmt: skip
    frame = pd.DataFrame([{**base, **row} for row in rows], columns=list(base), dtype="str")
    raw = frame.assign(source_row_number=pd.Series(range(2, len(frame) + 2), dtype="int64"))
    return map_to_canonical(raw, WS, TRUST, CODES, KEY).frame


def test_stays_across_months_get_each_months_bed_days_age_and_repeats() -> None:
    raws = [
        (OCT, [{}, {"ward_stay_id": "S2", "stay_start": "01/09/2024", "stay_end": "05/10/2024"}]),
        (NOV, [{}, {}, {"ward_stay_id": "S3", "stay_start": "30/11/2024"}]),
    ]
    mapped = [_mapped_stays(rows) for _, rows in raws]
    months = [month for month, _ in raws]
    derived = derive_many(mapped, WS, months)
    for one, frame, month in zip(derived, mapped, months, strict=True):
        pd.testing.assert_frame_equal(one, derive_fields(frame, WS, month))
    assert derived[1]["_is_repeat"].tolist() == [False, True, False]
    assert derived[0]["_event_date"].tolist() == [
        pd.Timestamp(2024, 10, 20),
        pd.Timestamp(2024, 10, 1),
    ]
    facts = standardise_many(derived, WS, "RX2", months)
    for one, frame, month in zip(facts, derived, months, strict=True):
        pd.testing.assert_frame_equal(one, standardise_ward_stays(frame, "RX2", month))
    october, november = facts
    assert october["occupied_bed_days"].tolist() == [12, 4]
    assert november["occupied_bed_days"].tolist() == [30, 30, 1]
    assert october["age_years"].tolist() == [33, 33]  # on 31 October
    assert november["age_years"].tolist() == [34, 34, 34]  # on 30 November
    assert derived[1]["_event_date"].tolist()[:2] == [pd.Timestamp(2024, 11, 1)] * 2
