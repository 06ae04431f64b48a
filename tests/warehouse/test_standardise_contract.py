"""The frames transforms.standardise produces load as they are (columns and dtypes)."""

from __future__ import annotations

import datetime as dt

from tests.transforms.helpers import derived
from transforms.standardise import standardise_interventions, standardise_ward_stays
from warehouse.partition_load import PartitionLoad, SubmissionOutcome
from warehouse.store import Warehouse

OCT = dt.date(2024, 10, 1)


def test_standardised_facts_load_and_feed_the_marts(wh: Warehouse) -> None:
    ri = standardise_interventions(derived("restrictive_interventions", [
        {"incident_id": "I1", "intervention_id": "1", "patient_key": "k1", "ward_code": "W1",
         "intervention_type": "01", "ethnic_category": "A", "start": "2024-10-15 10:00:00",
         "end": "2024-10-15 10:07:00", "date_of_birth": "1990-01-01", "lda_flag": "Y"},
        {"incident_id": "I2", "intervention_id": "1", "patient_key": "k2", "ward_code": "W1",
         "intervention_type": "05", "ethnic_category": "M", "start": "2024-10-30 10:00:00",
         "end": None, "date_of_birth": "2000-01-01"},
    ]), "RX2", OCT, None)  # fmt: skip
    ws = standardise_ward_stays(derived("ward_stays", [
        {"ward_stay_id": "S1", "patient_key": "k1", "stay_start": "2024-09-20", "ward_code": "W1",
         "date_of_birth": "1990-01-01", "ethnic_category": "A", "lda_flag": "Y"},
    ]), "RX2", OCT)  # fmt: skip
    outcomes = [
        SubmissionOutcome(ds, f"RX2-2024-10-{ds[:2]}", "f.csv", "a" * 64, "loaded", len(f),
                          len(f), 0, facts=f)
        for ds, f in (("restrictive_interventions", ri), ("ward_stays", ws))
    ]  # fmt: skip
    wh.replace_partition(PartitionLoad("RX2", OCT, outcomes))
    wh.refresh_marts([("RX2", OCT)])

    row = wh.query("SELECT * FROM fct_restrictive_intervention WHERE incident_id = 'I1'").iloc[0]
    assert (row["duration_minutes"], bool(row["lda_flag"]), row["age_band"]) == (7.0, True, "25-34")
    mart = wh.query("SELECT interventions, occupied_bed_days FROM mart_trust_month"
                    " WHERE trust_code = 'RX2'").values.tolist()  # fmt: skip
    assert mart == [[2, 31]]
    lda = wh.query(
        "SELECT category, interventions, occupied_bed_days FROM mart_equity_month"
        " WHERE trust_code = 'RX2' AND dimension = 'lda' ORDER BY 1"
    ).values.tolist()
    assert lda == [["Unknown", 1, 0], ["Y", 1, 31]]
