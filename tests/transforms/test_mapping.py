"""Mapping a raw frame to the canonical dataset: headers, codes, dates, identifiers."""

from __future__ import annotations

import pandas as pd
import pytest

from tests.transforms.helpers import KEY, NO_SYNONYMS, trust, values
from transforms.canonical import mapped_columns
from transforms.errors import FileRejected
from transforms.mapping import map_to_canonical
from transforms.screening import MARKER as WITHHELD
from transforms.trust_config import CodeMaps

NHS_VALID = "943 476 5919"
NHS_INVALID = "9434765918"

TRUST = trust(
    date_formats=["%d/%m/%Y"],
    datetime_formats=["%d/%m/%Y %H:%M"],
    columns={
        "restrictive_interventions": {
            "incident_id": "Incident Ref",
            "intervention_type": "RI Type",
            "nhs_number": "NHS No",
            "local_patient_id": "RiO ID",
            "ethnic_category": "Ethnicity",
        }
    },
    values={"intervention_type": {"Prone restraint": "01"}, "reason": {"Violence": "10"}},
)
SYNONYMS = CodeMaps(
    maps={
        "intervention_type": {"Seclusion": "05", "Prone restraint": "13"},
        "injury_patient": {"Yes": "Y", "No": "N"},
        "gender": {"male": "1"},
    }
)


def _raw(**columns: list[str | None]) -> pd.DataFrame:
    frame = pd.DataFrame(columns, dtype="str")
    frame["source_row_number"] = range(2, len(frame) + 2)
    return frame


def _ri_raw() -> pd.DataFrame:
    columns: dict[str, list[str | None]] = {
        " incident  ref": ["I1", "I2", "I3", "I4"],
        "intervention_id": ["1", "1", "1", "2"],
        "NHS NO": [NHS_VALID, NHS_INVALID, None, None],
        "rio id": ["R1", "R2", "R3", None],
        "date_of_birth": ["01/02/1990", "1990-02-03", "31/02/1990", None],
        "ETHNICITY": ["a1", "99", "T", "Z"],
        "ward_code": ["W1", "W1", "W2", "W2"],
        "ri type": ["PRONE restraint ", "seclusion", "1", "02"],
        "start": ["27/10/2024 01:30", "2024-10-27T01:10:00", "yesterday", "2024-10-02"],
        "end": [None, "27/10/2024 02:00", None, None],
        "reason": ["violence", "10", "5", None],
        "injury_patient": ["yes", "N", "maybe", "maybe"],
        "gender": ["Male", "2", "f", None],
        "lsoa": [" e01 000001", None, None, None],
        "not in spec": ["x", "y", "z", "w"],
    }
    return _raw(**columns)


def test_columns_are_exactly_the_canonical_ones_in_order() -> None:
    result = map_to_canonical(_ri_raw(), "restrictive_interventions", TRUST, SYNONYMS, KEY)
    frame = result.frame
    assert list(frame.columns) == mapped_columns("restrictive_interventions")
    assert all(frame[c].dtype == "str" for c in frame.columns if c != "source_row_number")
    assert values(frame["source_row_number"]) == [2, 3, 4, 5]


def test_codes_trust_values_win_then_synonyms_then_normalised() -> None:
    frame = map_to_canonical(_ri_raw(), "restrictive_interventions", TRUST, SYNONYMS, KEY).frame
    assert values(frame["intervention_type"]) == ["01", "05", "01", "02"]
    assert values(frame["ethnic_category"]) == ["A", "99", "T", "Z"]
    assert values(frame["reason"]) == ["10", "10", "5", None]
    assert values(frame["injury_patient"]) == ["Y", "N", "MAYBE", "MAYBE"]
    assert values(frame["gender"]) == ["1", "2", "F", None]
    assert values(frame["lsoa"]) == ["E01000001", None, None, None]
    # an optional column the file lacks is all missing
    assert frame["gender_identity"].isna().all()


def test_unmapped_reports_each_non_national_value_as_sent_with_its_count() -> None:
    result = map_to_canonical(_ri_raw(), "restrictive_interventions", TRUST, SYNONYMS, KEY)
    assert result.unmapped == {
        "intervention_type": {"02": 1},
        "ethnic_category": {"T": 1},
        "reason": {"5": 1},
        "injury_patient": {"maybe": 2},
        "gender": {"f": 1},
    }


def test_dates_parse_with_trust_formats_then_iso_and_keep_bad_text() -> None:
    frame = map_to_canonical(_ri_raw(), "restrictive_interventions", TRUST, SYNONYMS, KEY).frame
    assert values(frame["date_of_birth"]) == ["1990-02-01", "1990-02-03", "31/02/1990", None]
    assert values(frame["start"]) == [
        "2024-10-27 01:30:00",
        "2024-10-27 01:10:00",
        "yesterday",
        "2024-10-02 00:00:00",
    ]
    assert values(frame["end"]) == [None, "2024-10-27 02:00:00", None, None]


def test_identifiers_become_status_and_key_and_leave_no_trace() -> None:
    result = map_to_canonical(_ri_raw(), "restrictive_interventions", TRUST, SYNONYMS, KEY)
    frame = result.frame
    assert values(frame["nhs_number_status"]) == ["valid", "invalid", "absent", "absent"]
    keys = frame["patient_key"].tolist()
    assert keys[0] != keys[1] and keys[1] != keys[2] and pd.isna(keys[3])
    cells = " ".join(map(str, frame.to_numpy().ravel())) + repr(result.unmapped)
    for identifier in ("9434765919", "943 476 5919", NHS_INVALID, "R1", "R2", "R3"):
        assert identifier not in cells


def test_missing_required_column_names_field_and_expected_header() -> None:
    raw = _ri_raw().drop(columns=["ri type", "start"])
    with pytest.raises(FileRejected) as caught:
        map_to_canonical(raw, "restrictive_interventions", TRUST, SYNONYMS, KEY)
    assert caught.value.rule == "missing_required_columns"
    assert "intervention_type (expected a column headed 'RI Type')" in caught.value.message
    assert "start (expected a column headed 'start')" in caught.value.message


def test_found_headers_that_look_like_values_are_withheld_from_the_message() -> None:
    # a data row read as the header would otherwise put a patient id into rejection_reason
    raw = _ri_raw().drop(columns=["start"]).rename(columns={"ri type": "AB123"})
    with pytest.raises(FileRejected) as caught:
        map_to_canonical(raw, "restrictive_interventions", TRUST, SYNONYMS, KEY)
    assert "AB123" not in caught.value.message
    assert "(a header that looks like a value, withheld)" in caught.value.message
    assert "'NHS NO'" in caught.value.message  # real headers are still listed


def test_neither_identifier_column_rejects_the_file() -> None:
    raw = _ri_raw().drop(columns=["NHS NO", "rio id"])
    with pytest.raises(FileRejected) as caught:
        map_to_canonical(raw, "restrictive_interventions", TRUST, SYNONYMS, KEY)
    assert caught.value.rule == "missing_required_columns"
    assert "'NHS No' or 'RiO ID'" in caught.value.message


def test_one_identifier_column_is_enough() -> None:
    raw = _ri_raw().drop(columns=["NHS NO"])
    frame = map_to_canonical(raw, "restrictive_interventions", TRUST, SYNONYMS, KEY).frame
    assert values(frame["nhs_number_status"]) == ["absent"] * 4
    assert frame["patient_key"].notna().tolist() == [True, True, True, False]


def test_ward_stays_two_digit_ward_type_and_dates() -> None:
    raw = _raw(
        ward_stay_id=["S1", "S2"],
        local_patient_id=["P1", "P2"],
        date_of_birth=["2001-01-01", "2001-01-01"],
        ethnic_category=["M", "Nx"],
        ward_code=["W1", "W1"],
        ward_type=["3", "Adult"],
        stay_start=["2024-10-01", "01/10/2024"],
        stay_end=[None, "2024-10-05 00:00:00"],
    )
    result = map_to_canonical(raw, "ward_stays", trust(date_formats=["%d/%m/%Y"]), NO_SYNONYMS, KEY)
    frame = result.frame
    assert list(frame.columns) == mapped_columns("ward_stays")
    assert values(frame["ward_type"]) == ["03", "Adult"]
    assert values(frame["ethnic_category"]) == ["M", "N"]
    assert values(frame["stay_start"]) == ["2024-10-01", "2024-10-01"]
    assert values(frame["stay_end"]) == [None, "2024-10-05"]
    assert result.unmapped == {"ward_type": {"Adult": 1}}


def test_nhs_numbers_in_a_misaligned_coded_or_date_column_are_withheld() -> None:
    raw = _ri_raw()
    raw["ETHNICITY"] = ["943 476 5919", "A", "A", "A"]
    raw["date_of_birth"] = ["9434765918", None, None, None]
    result = map_to_canonical(raw, "restrictive_interventions", TRUST, SYNONYMS, KEY)
    withheld = WITHHELD
    assert values(result.frame["ethnic_category"]) == [withheld, "A", "A", "A"]
    assert values(result.frame["date_of_birth"]) == [withheld, None, None, None]
    assert result.unmapped["ethnic_category"] == {withheld: 1}
