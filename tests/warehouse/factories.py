"""Small fact frames and outcomes for warehouse tests (synthetic pseudonyms only)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pandas as pd

from warehouse.loads import SubmissionOutcome
from warehouse.schema import column_names, fct_restrictive_intervention, fct_ward_stay_month

FAMILY = {
    "01": "physical",
    "07": "physical",
    "05": "seclusion",
    "14": "chemical",
    "06": "segregation",
}


def intervention(
    trust: str,
    month: date,
    incident: str,
    intervention: str = "1",
    patient: str = "p1",
    type_code: str = "07",
    **extra: Any,
) -> dict[str, Any]:
    row: dict[str, Any] = {
        "trust_code": trust, "reporting_month": month, "incident_id": incident,
        "intervention_id": intervention, "patient_key": patient, "ward_code": "W1",
        "ward_type_code": "03", "ward_security_level": "0", "bed_type_code": "10",
        "intervention_type_code": type_code, "intervention_type_label": f"type {type_code}",
        "intervention_family": FAMILY[type_code], "is_prone": type_code == "01",
        "is_rapid_tranquillisation": type_code == "14",
        "start_at": pd.Timestamp(month, tz="UTC") + pd.Timedelta(hours=10),
        "end_at": pd.Timestamp(month, tz="UTC") + pd.Timedelta(hours=10, minutes=5),
        "start_date_local": month, "is_open_at_month_end": False, "duration_minutes": 5.0,
        "reason_code": "10", "injury_patient": False, "injury_staff": True, "injury_other": None,
        "post_incident_review_patient": True, "ethnic_category_code": "A", "ethnic_group": "White",
        "gender_code": "1", "age_years": 40, "age_band": "35-44", "lsoa": "E01000001",
        "imd_decile": 9, "lda_flag": False, "source_row_number": 2,
    }  # fmt: skip
    row.update(extra)
    return row


def stay(
    trust: str, month: date, stay_id: str, bed_days: int, patient: str = "p1", **extra: Any
) -> dict[str, Any]:
    row: dict[str, Any] = {
        "trust_code": trust, "reporting_month": month, "ward_stay_id": stay_id,
        "patient_key": patient, "ward_code": "W1", "ward_type_code": "03",
        "ward_security_level": "0", "bed_type_code": "10", "stay_start": date(2020, 1, 1),
        "stay_end": None, "is_open_at_month_end": True, "occupied_bed_days": bed_days,
        "ethnic_category_code": "A", "ethnic_group": "White", "gender_code": "1",
        "age_years": 40, "age_band": "35-44", "lsoa": "E01000001", "imd_decile": 9,
        "lda_flag": False, "source_row_number": 2,
    }  # fmt: skip
    row.update(extra)
    return row


def frame(rows: list[dict[str, Any]], table: Any) -> pd.DataFrame:
    columns = [c for c in column_names(table) if c != "submission_id"]
    return pd.DataFrame(rows, columns=columns)


def ri_frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    return frame(rows, fct_restrictive_intervention)


def ws_frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    return frame(rows, fct_ward_stay_month)


def loaded(
    dataset: str,
    sid: str,
    facts: pd.DataFrame,
    quarantined: int = 0,
    quarantine: pd.DataFrame | None = None,
    sha: str | None = None,
    received_at: datetime | None = None,
) -> SubmissionOutcome:
    return SubmissionOutcome(
        dataset=dataset, submission_id=sid, file_name=f"{sid}.csv", file_sha256=sha or sid * 2,
        status="loaded", rows_received=len(facts) + quarantined, rows_loaded=len(facts),
        rows_quarantined=quarantined, received_at=received_at or datetime(2024, 3, 1, tzinfo=UTC),
        processed_at=datetime(2024, 3, 1, 1, tzinfo=UTC), flow_run_id="run-1", facts=facts,
        quarantine=quarantine,
    )  # type: ignore[arg-type]  # fmt: skip


def rejected(
    dataset: str,
    sid: str,
    rows: int = 5,
    sha: str | None = None,
    received_at: datetime | None = None,
) -> SubmissionOutcome:
    return SubmissionOutcome(
        dataset=dataset, submission_id=sid, file_name=f"{sid}.csv", file_sha256=sha or sid * 2,
        status="rejected", rows_received=rows, rows_loaded=0, rows_quarantined=0,
        rejection_rule="implausible_row_count", rejection_reason="5 rows against a median of 100",
        received_at=received_at or datetime(2024, 3, 2, tzinfo=UTC),
        processed_at=datetime(2024, 3, 2, 1, tzinfo=UTC), flow_run_id="run-2",
    )  # type: ignore[arg-type]  # fmt: skip


def snapshot(wh: Any, table: str) -> pd.DataFrame:
    """Every row of `table`, sorted on all columns (portable stand-in for ORDER BY ALL)."""
    rows = wh.query(f"SELECT * FROM {table}")
    return rows.sort_values(list(rows.columns), ignore_index=True) if len(rows) else rows
