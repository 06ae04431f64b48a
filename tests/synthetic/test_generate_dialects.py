"""Each trust's files are written in the dialect its YAML describes."""

from __future__ import annotations

import datetime as dt
import re

import pyarrow.parquet as pq

from tests.synthetic.helpers import Run
from transforms.trust_config import Registry


def test_csv_dialect_cp1252_semicolon(run: Run, registry: Registry) -> None:
    out, _ = run
    content = (out / "RVN/2024-01/AWP_WardStays_202401.csv").read_bytes()
    header = content.split(b"\r\n", 1)[0].decode("cp1252").split(";")
    trust = registry.trust("RVN")
    assert header[:3] == ["Ward Stay Ref", "RiO Number", "DOB"]
    assert header == [
        trust.header_for("ward_stays", f)
        for f in [
            "ward_stay_id",
            "local_patient_id",
            "date_of_birth",
            "gender",
            "gender_identity",
            "ethnic_category",
            "lsoa",
            "ward_code",
            "ward_type",
            "ward_security_level",
            "bed_type",
            "stay_start",
            "stay_end",
            "lda_flag",
        ]
    ]
    assert b"\x96" in content  # en dash of "Adult – inpatient" in Windows-1252
    assert not content.startswith(b"\xef\xbb\xbf")
    nql = (out / "NQL/2024-01/Livewell ward stays Jan 2024.csv").read_bytes()
    assert nql.startswith(b"\xef\xbb\xbfWard Stay ID,NHS Number,")
    first = nql.decode("utf-8-sig").splitlines()[1].split(",")
    assert re.fullmatch(r"999 \d{3} \d{4}", first[1])
    assert re.fullmatch(r"\d{2}/\d{2}/\d{4}", first[2])


def test_xlsx_dialect_title_rows_and_sheet(run: Run, registry: Registry) -> None:
    import openpyxl

    out, manifest = run
    whole_file = {f.file for f in manifest.faults if not f.rows}
    path = next(
        f.path
        for f in manifest.files
        if f.trust == "RWV"
        and f.path not in whole_file
        and f.dataset == "restrictive_interventions"
    )
    book = openpyxl.load_workbook(out / path)
    assert book.sheetnames == ["Extract"]
    rows = list(book["Extract"].iter_rows(min_row=1, max_row=4, values_only=True))
    assert str(rows[0][0]).startswith("Devon Partnership NHS Trust – restrictive interventions")
    assert set(rows[1]) <= {None}
    assert rows[2][:4] == (
        "RestrictiveIntIncID",
        "RestrictiveIntTypeID",
        "NHSNumber",
        "LocalPatientId",
    )
    assert isinstance(rows[3][rows[2].index("StartDateTimeRestrictiveIntType")], dt.datetime)


def test_parquet_dialect(run: Run) -> None:
    out, _ = run
    schema = pq.read_schema(out / "RH5/2024-01/rh5_ws_202401.parquet")
    assert schema.names[:3] == ["stay_id", "nhs_no", "dob"]
    assert "gender_identity" not in schema.names
    assert str(schema.field("admission_date").type) == "date32[day]"
    ri = pq.read_schema(out / "RH5/2024-01/rh5_ri_202401.parquet")
    assert str(ri.field("start_datetime").type) == "timestamp[us]"
