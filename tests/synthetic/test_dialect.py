from __future__ import annotations

from pathlib import Path

import numpy as np

from mhsip.config_loader import load_registry
from synthetic.dialect import Dialect, strftime
from synthetic.habits import Habits, habits_for

CONFIG = Path(__file__).resolve().parents[2] / "config"


def test_strftime_tokens_and_blanks() -> None:
    values = np.array(["2024-03-05T07:09", "NaT", "1999-12-31T23:59"], dtype="datetime64[m]")
    assert strftime(values, "%d/%m/%Y %H:%M").tolist() == [
        "05/03/2024 07:09",
        "",
        "31/12/1999 23:59",
    ]
    assert strftime(values, "%Y-%m-%dT%H:%M:%S").tolist()[0] == "2024-03-05T07:09:00"
    assert strftime(values, "%d.%m.%Y").tolist()[2] == "31.12.1999"


def test_codes_written_as_local_or_national_labels() -> None:
    registry = load_registry(CONFIG)
    nql = Dialect(registry.trust("NQL"), registry.codes, habits_for("NQL"))
    assert nql.code("intervention_type", np.array(["01", "14", "99"])).tolist() == [
        "Prone restraint",
        "Rapid tranquillisation",
        "99",
    ]
    assert nql.code("ethnic_category", np.array(["A"])).tolist() == ["A"]
    rdy = Dialect(registry.trust("RDY"), registry.codes, habits_for("RDY"))
    assert rdy.code("intervention_type", np.array(["05"])).tolist() == ["Seclusion"]
    assert rdy.code("intervention_type", np.array(["01"])).tolist() == [
        "Physical restraint - Prone"
    ]


def test_fields_follow_identifier_and_omit_habits() -> None:
    registry = load_registry(CONFIG)
    rvn = Dialect(registry.trust("RVN"), registry.codes, habits_for("RVN"))
    assert "nhs_number" not in rvn.fields("ward_stays")
    assert "local_patient_id" in rvn.fields("ward_stays")
    rj8 = Dialect(registry.trust("RJ8"), registry.codes, Habits(omit=("injury_other",)))
    fields = rj8.fields("restrictive_interventions")
    assert fields[:3] == ["incident_id", "intervention_id", "nhs_number"]
    assert "injury_other" not in fields and "local_patient_id" not in fields
