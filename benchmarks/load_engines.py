"""Time to load one 100,000-row fact partition into DuckDB and into PostgreSQL (binary COPY).

Usage: `python benchmarks/load_engines.py [rows] [pg_url]` (default 100000 rows and
`postgresql://postgres@127.0.0.1:5432/test`). Creates a DuckDB file in a temporary folder and a
throw-away PostgreSQL database `mhsip_bench_<random>` (dropped afterwards); times
`Warehouse.replace_partition` (delete + bulk insert + etl rows, one transaction) twice per
engine, the second time replacing the first (the nightly resubmission case). Synthetic rows
only: pseudonyms are random text.
"""

from __future__ import annotations

import sys
import tempfile
import time
import uuid
from datetime import UTC, date, datetime
from pathlib import Path

import numpy as np
import pandas as pd
import psycopg
from sqlalchemy.engine import make_url

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))  # run from a checkout: `python benchmarks/load_engines.py`

from warehouse.engine import open_warehouse  # noqa: E402
from warehouse.partition_load import PartitionLoad, SubmissionOutcome  # noqa: E402
from warehouse.schema import column_names, fct_restrictive_intervention  # noqa: E402

MONTH = date(2024, 1, 1)


def fact_rows(n: int) -> pd.DataFrame:
    """n synthetic interventions for RX2, January 2024 (every fact column but submission_id)."""
    rng = np.random.default_rng(7)
    start = pd.Timestamp(MONTH, tz="UTC") + pd.to_timedelta(rng.integers(0, 30 * 1440, n), "min")
    minutes = rng.integers(1, 240, n).astype("float64")
    codes = rng.choice(["01", "05", "06", "07", "14"], n)
    frame = pd.DataFrame({
        "trust_code": "RX2", "reporting_month": MONTH,
        "incident_id": [f"I{i // 2}" for i in range(n)],
        "intervention_id": [str(i % 2 + 1) for i in range(n)],
        "patient_key": [f"k{v:08x}" for v in rng.integers(0, 2**31, n)],
        "ward_code": "W1", "ward_type_code": "03", "ward_security_level": "0",
        "bed_type_code": "10",
        "intervention_type_code": codes, "intervention_type_label": "label",
        "intervention_family": "physical", "is_prone": codes == "01",
        "is_rapid_tranquillisation": codes == "14", "start_at": start,
        "end_at": start + pd.to_timedelta(minutes, "min"), "start_date_local": MONTH,
        "is_open_at_month_end": False, "duration_minutes": minutes, "reason_code": "10",
        "injury_patient": False, "injury_staff": rng.random(n) < 0.1, "injury_other": None,
        "post_incident_review_patient": True, "ethnic_category_code": "A", "ethnic_group": "White",
        "gender_code": "1", "age_years": rng.integers(18, 80, n), "age_band": "35-44",
        "lsoa": "E01000001", "imd_decile": rng.integers(1, 11, n), "lda_flag": False,
        "source_row_number": np.arange(2, n + 2),
    })  # fmt: skip
    return frame[[c for c in column_names(fct_restrictive_intervention) if c != "submission_id"]]


def load(facts: pd.DataFrame, sid: str) -> PartitionLoad:
    outcome = SubmissionOutcome(
        dataset="restrictive_interventions", submission_id=sid, file_name="bench.csv",
        file_sha256=sid, status="loaded", rows_received=len(facts), rows_loaded=len(facts),
        rows_quarantined=0, received_at=datetime.now(UTC), processed_at=datetime.now(UTC),
        facts=facts,
    )  # fmt: skip
    return PartitionLoad("RX2", MONTH, [outcome])


def timed(url: str, facts: pd.DataFrame) -> list[float]:
    seconds = []
    with open_warehouse(url) as wh:
        for attempt in ("a", "b"):
            started = time.perf_counter()
            wh.replace_partition(load(facts, f"bench-{attempt}"))
            seconds.append(time.perf_counter() - started)
        assert wh.table_counts()["fct_restrictive_intervention"] == len(facts)
    return seconds


def main(rows: int, pg_url: str) -> None:
    facts = fact_rows(rows)
    with tempfile.TemporaryDirectory() as folder:
        duck = timed(str(Path(folder) / "bench.duckdb"), facts)
    name = f"mhsip_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(pg_url, autocommit=True) as admin:
        admin.execute(f"CREATE DATABASE {name}")
    try:
        pg = timed(make_url(pg_url).set(database=name).render_as_string(False), facts)
    finally:
        with psycopg.connect(pg_url, autocommit=True) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    print(f"{rows:,}-row fact partition (first load, replacement):")
    print(f"  DuckDB      {duck[0]:6.2f} s, {duck[1]:6.2f} s")
    print(f"  PostgreSQL  {pg[0]:6.2f} s, {pg[1]:6.2f} s  (binary COPY)")


if __name__ == "__main__":
    main(
        int(sys.argv[1]) if len(sys.argv) > 1 else 100_000,
        sys.argv[2] if len(sys.argv) > 2 else "postgresql://postgres@127.0.0.1:5432/test",
    )
