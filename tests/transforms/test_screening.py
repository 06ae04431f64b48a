"""Identifier screening: one function finds NHS-number-like values and a trust's local ids in
any cell and any sentence; dates, codes and the synthetic trusts' other ids are left alone."""

from __future__ import annotations

import pandas as pd
import pytest

from tests.transforms.helpers import KEY, NO_SYNONYMS, trust
from transforms.mapping import map_to_canonical
from transforms.screening import MARKER, identifier_mask, screen_text
from transforms.trust_config import ConfigError, TrustConfig

RIO = r"RIO\d{7}"


@pytest.mark.parametrize(
    "text",
    ["9434765919", "943 476 5919", "943-476-5919", "943.476.5919", "943/476/5918",
     "943  476  5919", "ward 9434765918 east", "x943-476-5919"],
)  # fmt: skip
def test_nhs_like_values_are_found_whatever_the_separator_or_check_digit(text: str) -> None:
    assert identifier_mask(pd.Series([text], dtype="str")).tolist() == [True]
    assert "5919" not in screen_text(text).replace("5918", "5919").replace(MARKER, "")


@pytest.mark.parametrize(
    "text",
    ["2024-01-15 10:30:00", "15/01/2024 10:30", "20240115103000", "WS000123", "E01012345",
     "94347659190", "RIO00013", "AWP0001303", "01", "Kingfisher"],
)  # fmt: skip
def test_dates_codes_and_other_ids_are_not_identifiers(text: str) -> None:
    assert identifier_mask(pd.Series([text], dtype="str"), RIO).tolist() == [False]
    assert screen_text(text, RIO) == text


def test_a_local_id_is_found_as_a_whole_word_only() -> None:
    cells = pd.Series(["RIO0001303", "seen RIO0001303.", "XRIO0001303", None], dtype="str")
    assert identifier_mask(cells, RIO).tolist() == [True, True, False, False]
    assert identifier_mask(cells).tolist() == [False, False, False, False]
    assert screen_text("intervention type 'RIO0001303' is not", RIO) == (
        f"intervention type '{MARKER}' is not"
    )


@pytest.mark.parametrize("pattern", ["RIO[0-9", "(", ".*", "a|"])
def test_a_bad_or_empty_matching_local_id_pattern_fails_at_load(pattern: str) -> None:
    with pytest.raises((ConfigError, ValueError), match="local_patient_id_pattern"):
        trust(local_patient_id_pattern=pattern)


def _raw(**columns: list[str | None]) -> pd.DataFrame:
    frame = pd.DataFrame(columns, dtype="str")
    return frame.assign(source_row_number=range(2, len(frame) + 2))


def _ri(**changes: list[str | None]) -> pd.DataFrame:
    base: dict[str, list[str | None]] = {
        "incident_id": ["I1", "I2", "I3"], "intervention_id": ["1", "1", "1"],
        "local_patient_id": ["RIO0000001", "RIO0000002", "RIO0000003"],
        "date_of_birth": ["1990-01-01"] * 3, "ethnic_category": ["A"] * 3,
        "ward_code": ["W1"] * 3, "intervention_type": ["01"] * 3,
        "start": ["2024-10-02 10:00:00"] * 3, "reason": ["10"] * 3,
    }  # fmt: skip
    return _raw(**(base | changes))


TRUST: TrustConfig = trust(local_patient_id_pattern=RIO)


def test_identifiers_in_key_columns_are_withheld_for_quarantine_elsewhere_withheld_and_counted():
    raw = _ri(
        ward_code=["9434765919", "W1", "W1"],
        incident_id=["I1", "943-476-5919", "I3"],
        reason=["10", "10", "RIO0000001"],
    )
    result = map_to_canonical(raw, "restrictive_interventions", TRUST, NO_SYNONYMS, KEY)
    frame = result.frame
    assert frame["ward_code"].tolist() == [MARKER, "W1", "W1"]
    assert frame["incident_id"].tolist() == ["I1", MARKER, "I3"]
    assert frame["reason"].tolist() == ["10", "10", MARKER]
    assert result.withheld == {"reason": [4]}  # key columns quarantine instead
    text = [str(cell) for cell in frame.to_numpy().ravel()]
    assert not any(v in cell for cell in text for v in ("9434765919", "5919", "RIO0000001"))


def test_a_key_column_holding_a_withheld_value_quarantines_the_row() -> None:
    from expectations.validate import validate_rows
    from transforms.derive import derive_fields

    raw = _ri(ward_code=["9434765919", "W1", "W1"], incident_id=["I1", "943-476-5919", "I3"])
    mapped = map_to_canonical(raw, "restrictive_interventions", TRUST, NO_SYNONYMS, KEY).frame
    import datetime as dt

    derived = derive_fields(mapped, "restrictive_interventions", dt.date(2024, 10, 1))
    result = validate_rows(derived, "restrictive_interventions", TRUST)
    rules = result.quarantine.groupby("source_row_number")["rule"].apply(set).to_dict()
    assert rules == {2: {"identifier_in_key_column"}, 3: {"identifier_in_key_column"}}
    details = result.quarantine.set_index("source_row_number")["detail"].to_dict()
    assert details[2] == (
        "ward code held a value that looks like an NHS number or local patient id (withheld)"
    )
    assert details[3].startswith("incident id held")
    assert result.valid["source_row_number"].tolist() == [4]
