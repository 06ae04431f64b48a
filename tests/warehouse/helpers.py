"""Helpers for the warehouse tests: small fact frames and outcomes (synthetic pseudonyms only),
and throw-away PostgreSQL databases, one per test, dropped afterwards (named
`mhsip_test_<random>` so parallel and repeated runs never collide; a session-wide migrated
template makes each copy cheap, ~30 ms)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from typing import Any

import numpy as np
import pandas as pd
import psycopg
from sqlalchemy.engine import make_url

from report.data import ReportData
from report.feedback import feedback_rows
from warehouse.partition_load import PartitionLoad, SubmissionOutcome
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


MONTHS = [date(2024, m, 1) for m in (1, 2, 3)]
TRUSTS = ["RX2", "RNU", "RWX"]
ETHNICITY = [("A", "White"), ("M", "Black or Black British"), ("H", "Asian or Asian British"),
             ("Z", "Not Stated")]  # fmt: skip
BANDS = [(15, "Under 18"), (20, "18-24"), (40, "35-44"), (70, "65 and over")]


def _person(rng: np.random.Generator) -> dict:
    code, group = ETHNICITY[rng.integers(len(ETHNICITY))]
    age, band = BANDS[rng.integers(len(BANDS))]
    decile = rng.integers(0, 11)
    return {"ethnic_category_code": code, "ethnic_group": group, "age_years": age,
            "age_band": band, "gender_code": str(rng.choice(["1", "2", "X"])),
            "imd_decile": None if decile == 0 else int(decile),
            "lda_flag": [True, False, None][rng.integers(3)]}  # fmt: skip


def random_partitions() -> list[PartitionLoad]:
    """Three trusts x three months of seeded random facts, the same every call."""
    rng = np.random.default_rng(20240101)
    loads = []
    for trust in TRUSTS:
        for month in MONTHS:
            people = {f"p{i}": _person(rng) for i in range(12)}
            stays = [stay(trust, month, f"S{p}", int(rng.integers(1, 32)), p, **person)
                     for p, person in people.items()]  # fmt: skip
            ri = []
            for n in range(int(rng.integers(0, 25))):
                patient = f"p{rng.integers(12)}"
                type_code = str(rng.choice(list(FAMILY)))
                ri.append(intervention(trust, month, f"I{n // 2}", str(n % 2 + 1), patient,
                                       type_code, **people[patient]))  # fmt: skip
            tag = f"{trust}-{month:%Y-%m}"
            loads.append(PartitionLoad(trust, month, [
                loaded("restrictive_interventions", f"{tag}-ri", ri_frame(ri)),
                loaded("ward_stays", f"{tag}-ws", ws_frame(stays)),
            ]))  # fmt: skip
    return loads


def _admin(pg_url: str) -> psycopg.Connection:
    return psycopg.connect(pg_url, autocommit=True)


def database_url(pg_url: str, name: str) -> str:
    """`postgresql+psycopg://` URL of database `name` on the server of `pg_url`."""
    url = make_url(pg_url).set(drivername="postgresql+psycopg", database=name)
    return url.render_as_string(hide_password=False)


@contextmanager
def fresh_database(pg_url: str, prefix: str = "mhsip_test", template: str | None = None
                   ) -> Iterator[tuple[str, str]]:  # fmt: skip
    """Yields (name, URL) of a new empty (or template-copied) database; drops it on exit."""
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    with _admin(pg_url) as admin:
        clause = f" TEMPLATE {template}" if template else ""
        admin.execute(f"CREATE DATABASE {name}{clause}")
    try:
        yield name, database_url(pg_url, name)
    finally:
        with _admin(pg_url) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def drop_role(pg_url: str, role: str, database_url: str) -> None:
    """Drop a test role after revoking what it was granted in `database_url`'s database."""
    libpq = make_url(database_url).set(drivername="postgresql").render_as_string(False)
    with psycopg.connect(libpq, autocommit=True) as conn:
        conn.execute(f"DROP OWNED BY {role}")
    with _admin(pg_url) as admin:
        admin.execute(f"DROP ROLE IF EXISTS {role}")


def feedback_of(wh: Any, trust: str) -> pd.DataFrame:
    """The feedback rows of `trust` from a warehouse's marts and submissions alone (no
    quarantine, equity or SPC), as the linkage and stay-bound tests read their warnings."""
    data = ReportData(
        trusts=pd.DataFrame(),
        trust_month=wh.query("SELECT * FROM mart_trust_month"),
        equity=pd.DataFrame(),
        spc=pd.DataFrame(),
        submissions=wh.query("SELECT * FROM etl_submission"),
        quarantine=pd.DataFrame(
            columns=["submission_id", "rule", "source_row_number", "detail", "rows_for_rule"]
        ),
    )
    return feedback_rows(data, trust)
