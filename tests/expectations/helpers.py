"""Hand-built derived frames (docs/architecture.md "Derive") for the validation tests.

Rows are given as the mapped text a trust's file becomes; `ri_frame` / `ws_frame` derive the
`_...` helper columns the way `transforms.derive` defines them (simplified: times are taken as
UTC), and any helper can be overridden per row. Reporting month: March 2024. No real patient
data: patient keys are made-up hex, dates of birth are invented.
"""

from __future__ import annotations

import os
from datetime import date
from typing import Any

import pandas as pd

from transforms.canonical import mapped_columns
from transforms.derive import excel_error_rows
from transforms.trust_config import TrustConfig

os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")


MONTH_START = pd.Timestamp("2024-03-01")


NEXT_MONTH = pd.Timestamp("2024-04-01")


REPORTING_MONTH = date(2024, 3, 1)


RI_DEFAULT: dict[str, Any] = {
    "patient_key": "k" * 64,
    "nhs_number_status": "valid",
    "incident_id": "INC1",
    "intervention_id": "1",
    "date_of_birth": "1990-06-15",
    "gender": "1",
    "gender_identity": "1",
    "ethnic_category": "A",
    "lsoa": "E01012345",
    "ward_code": "W1",
    "ward_type": "03",
    "ward_security_level": "0",
    "bed_type": None,
    "intervention_type": "09",
    "start": "2024-03-05 10:00:00",
    "end": "2024-03-05 10:20:00",
    "reason": "10",
    "injury_patient": "N",
    "injury_staff": "N",
    "injury_other": "N",
    "post_incident_review_patient": "Y",
    "lda_flag": "N",
}


WS_DEFAULT: dict[str, Any] = {
    "patient_key": "k" * 64,
    "nhs_number_status": "valid",
    "ward_stay_id": "S1",
    "date_of_birth": "1990-06-15",
    "gender": "2",
    "gender_identity": "2",
    "ethnic_category": "M",
    "lsoa": "E01000001",
    "ward_code": "W1",
    "ward_type": "03",
    "ward_security_level": "0",
    "bed_type": None,
    "stay_start": "2024-02-20",
    "stay_end": None,
    "lda_flag": "N",
}


def _age(dob: pd.Series, on: pd.Series) -> pd.Series:
    years = on.dt.year - dob.dt.year
    before_birthday = (on.dt.month * 100 + on.dt.day) < (dob.dt.month * 100 + dob.dt.day)
    return (years - before_birthday.astype("Int64")).astype("Int64")


def _text_frame(rows: list[dict[str, Any]], default: dict[str, Any], dataset: str) -> pd.DataFrame:
    """Row n gets a unique id (intervention_id / ward_stay_id = n) unless the test gives one."""
    id_column = "intervention_id" if dataset == "restrictive_interventions" else "ward_stay_id"
    records = [
        {**default, id_column: f"{n + 1}", **{k: v for k, v in r.items() if not k.startswith("_")}}
        for n, r in enumerate(rows)
    ]
    frame = pd.DataFrame.from_records(records, columns=list(default))
    frame["source_row_number"] = range(2, len(frame) + 2)
    columns = mapped_columns(dataset)  # type: ignore[arg-type]
    text = frame[columns].astype({c: "str" for c in columns if c != "source_row_number"})
    return text.astype({"source_row_number": "int64"})


def _overrides(frame: pd.DataFrame, rows: list[dict[str, Any]]) -> pd.DataFrame:
    for position, row in enumerate(rows):
        for key, value in row.items():
            if key.startswith("_"):
                frame.loc[position, key] = value
    return frame


def ri_frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    frame = _text_frame(rows, RI_DEFAULT, "restrictive_interventions")
    start = pd.to_datetime(frame["start"], errors="coerce", format="ISO8601")
    end = pd.to_datetime(frame["end"], errors="coerce", format="ISO8601")
    frame["_start_at"] = start.dt.tz_localize("UTC").astype("datetime64[us, UTC]")
    frame["_end_at"] = end.dt.tz_localize("UTC").astype("datetime64[us, UTC]")
    frame["_end_unparseable"] = frame["end"].notna() & end.isna()
    frame["_dob"] = pd.to_datetime(frame["date_of_birth"], errors="coerce").astype("datetime64[us]")
    frame["_event_date"] = start.dt.normalize().astype("datetime64[us]")
    frame["_age_years"] = _age(frame["_dob"], frame["_event_date"])
    starts_in = (start >= MONTH_START) & (start < NEXT_MONTH)
    ends_in = (end >= MONTH_START) & (end < NEXT_MONTH)
    open_at_end = (start < NEXT_MONTH) & (end.isna() | (end >= NEXT_MONTH))
    frame["_in_month"] = (starts_in | ends_in | open_at_end).fillna(False).astype(bool)
    frame["_is_repeat"] = frame.duplicated(["incident_id", "intervention_id"])
    frame["_duration_minutes"] = ((end - start).dt.total_seconds() // 60).astype("Int64")
    frame["_excel_error"] = excel_error_rows(frame)
    return _overrides(frame, rows)


def ws_frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    frame = _text_frame(rows, WS_DEFAULT, "ward_stays")
    stay_start = pd.to_datetime(frame["stay_start"], errors="coerce", format="ISO8601")
    stay_end = pd.to_datetime(frame["stay_end"], errors="coerce", format="ISO8601")
    frame["_dob"] = pd.to_datetime(frame["date_of_birth"], errors="coerce").astype("datetime64[us]")
    frame["_stay_start"] = stay_start.astype("datetime64[us]")
    frame["_stay_end"] = stay_end.astype("datetime64[us]")
    frame["_stay_end_unparseable"] = frame["stay_end"].notna() & stay_end.isna()
    frame["_event_date"] = (
        stay_start.where(stay_start > MONTH_START, MONTH_START)
        .where(stay_start.notna())
        .astype("datetime64[us]")
    )
    frame["_age_years"] = _age(frame["_dob"], frame["_event_date"])
    overlaps = (stay_start < NEXT_MONTH) & (stay_end.isna() | (stay_end >= MONTH_START))
    frame["_in_month"] = overlaps.fillna(False).astype(bool)
    frame["_is_repeat"] = frame.duplicated(["ward_stay_id"])
    frame["_excel_error"] = excel_error_rows(frame)
    return _overrides(frame, rows)


def make_trust(**changes: Any) -> TrustConfig:
    base: dict[str, Any] = {"ods_code": "ZZ1", "name": "Synthetic Trust", "region": "Y58",
                            "format": "csv"}  # fmt: skip
    return TrustConfig.model_validate({**base, **changes})


# One fault per row; source_row_number = position + 2 (row 2 is clean).
FAULTS: list[tuple[dict, str]] = [
    ({"incident_id": None}, "incident_id_missing"),
    ({"intervention_id": None}, "intervention_id_missing"),
    ({"patient_key": None, "nhs_number_status": "absent"}, "patient_id_missing"),
    ({"nhs_number_status": "invalid"}, "nhs_number_invalid"),
    ({"date_of_birth": "31/02/1990"}, "date_of_birth_missing_or_invalid"),
    ({"date_of_birth": "2024-03-06"}, "date_of_birth_after_event"),
    ({"date_of_birth": "1900-01-01"}, "age_over_120"),
    ({"ethnic_category": "T"}, "ethnic_category_invalid"),
    ({"ethnic_category": None}, "ethnic_category_invalid"),
    ({"ward_code": None}, "ward_code_missing"),
    ({"intervention_type": "02"}, "intervention_type_invalid"),
    ({"intervention_type": None}, "intervention_type_invalid"),
    ({"start": "yesterday"}, "start_missing_or_invalid"),
    ({"end": "soon"}, "end_invalid"),
    ({"end": "2024-03-05 09:00:00"}, "end_before_start"),
    ({"start": "2024-01-05 10:00:00", "end": "2024-01-05 11:00:00"}, "outside_reporting_month"),
]
