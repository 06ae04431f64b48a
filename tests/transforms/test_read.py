"""Reading each supported format from bytes into an all-text raw frame."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from tests.transforms.helpers import trust
from transforms.errors import FileRejected
from transforms.read import read_table


def _rows(frame: pd.DataFrame) -> list[list[object]]:
    return frame.astype(object).where(frame.notna(), None).to_numpy().tolist()


def test_csv_utf8_trims_blanks_to_na_and_numbers_rows_from_two() -> None:
    content = b"Incident ID,Ethnicity, Ward \n I1 ,A1,W1\n\n,,\nI2,,W2\n"
    frame = read_table(content, "ri.csv", trust())
    assert list(frame.columns) == ["Incident ID", "Ethnicity", "Ward", "source_row_number"]
    assert _rows(frame) == [["I1", "A1", "W1", 2], ["I2", None, "W2", 5]]
    assert frame["Ward"].dtype == "str"


def test_csv_with_bom_does_not_leak_into_the_first_header() -> None:
    content = "\ufeffincident_id,start\nI1,2024-10-01 10:00\n".encode()
    for encoding in ("utf-8", "utf-8-sig"):
        frame = read_table(content, "ri.csv", trust(encoding=encoding))
        assert list(frame.columns) == ["incident_id", "start", "source_row_number"]


def test_csv_cp1252_semicolon_keeps_leading_zeros() -> None:
    content = "Type;Ward name;NHS\n01;Café ward;0123\n".encode("cp1252")
    frame = read_table(content, "ri.csv", trust(encoding="cp1252", delimiter=";"))
    assert _rows(frame) == [["01", "Café ward", "0123", 2]]


def test_csv_quoted_newline_counts_as_one_row() -> None:
    frame = read_table(b'a,b\n"x\ny",1\nz,2\n', "f.csv", trust())
    assert frame["source_row_number"].tolist() == [2, 3]


def test_header_only_csv_is_an_empty_frame_not_an_error() -> None:
    frame = read_table(b"incident_id,start\n", "ri.csv", trust())
    assert frame.empty
    assert list(frame.columns) == ["incident_id", "start", "source_row_number"]


def test_xlsx_title_rows_header_row_and_cell_conversion() -> None:
    book = openpyxl.Workbook()
    first = book.active
    first.title = "Notes"
    first.append(["ignore me"])
    sheet = book.create_sheet("RI data")
    sheet.append(["Synthetic Trust - restrictive interventions"])
    sheet.append([])
    sheet.append(["NHS No", "Start", "DOB", "Score", "Flag", "Time"])
    sheet.append(
        [9434765919, dt.datetime(2024, 10, 27, 1, 30), dt.date(1990, 2, 1), 1.5, True, " x "]
    )
    sheet.append([None] * 6)
    sheet.append([4.0, None, None, None, False, None])
    buffer = io.BytesIO()
    book.save(buffer)
    config = trust(format="xlsx", sheet="ri data", header_row=3)
    frame = read_table(buffer.getvalue(), "ri.xlsx", config)
    assert _rows(frame) == [
        ["9434765919", "2024-10-27 01:30:00", "1990-02-01", "1.5", "Y", "x", 4],
        ["4", None, None, None, "N", None, 6],
    ]


def test_xlsx_missing_sheet_names_the_sheets_found() -> None:
    book = openpyxl.Workbook()
    book.active.title = "Data"
    book.active.append(["a"])
    buffer = io.BytesIO()
    book.save(buffer)
    with pytest.raises(FileRejected) as caught:
        read_table(buffer.getvalue(), "ri.xlsx", trust(format="xlsx", sheet="RI"))
    assert caught.value.rule == "file_unreadable"
    assert "'Data'" in caught.value.message


def test_parquet_typed_columns_become_typed_by_hand_text() -> None:
    table = pa.table(
        {
            "id": pa.array([7, None], pa.int64()),
            "score": [2.0, 2.5],
            "start": pa.array([dt.datetime(2024, 6, 1, 12, 0), None], pa.timestamp("us", tz="UTC")),
            "naive": pa.array([dt.datetime(2024, 1, 1, 9, 5, 7), None], pa.timestamp("ms")),
            "dob": [dt.date(1990, 2, 1), None],
            "text": [" x ", ""],
        }
    )
    buffer = io.BytesIO()
    pq.write_table(table, buffer)
    frame = read_table(buffer.getvalue(), "ri.parquet", trust(format="parquet"))
    assert _rows(frame) == [
        # 12:00 UTC in June is 13:00 in UK local time, the text a trust would have typed
        ["7", "2", "2024-06-01 13:00:00", "2024-01-01 09:05:07", "1990-02-01", "x", 2],
        [None, "2.5", None, None, None, None, 3],
    ]


@pytest.mark.parametrize(
    ("fmt", "content"),
    [
        ("csv", b"\x00\x01\x02garbage\xff"),
        ("csv", b"PK\x03\x04rest of a zip"),
        ("xlsx", b"this is not a zip"),
        ("parquet", b"PAR1 truncated"),
        ("parquet", b"a,b\n1,2\n"),
    ],
)
def test_garbage_bytes_are_file_unreadable(fmt: str, content: bytes) -> None:
    with pytest.raises(FileRejected) as caught:
        read_table(content, f"ri.{fmt}", trust(format=fmt))
    assert caught.value.rule == "file_unreadable"
    assert "Traceback" not in caught.value.message


def test_bad_utf8_names_the_line_but_not_the_content() -> None:
    content = "a,b\nok,1\ncaf\xe9,2\n".encode("cp1252")
    with pytest.raises(FileRejected) as caught:
        read_table(content, "ri.csv", trust(encoding="utf-8"))
    assert caught.value.rule == "file_unreadable"
    assert "line 3" in caught.value.message


def test_ragged_csv_is_unreadable_with_the_line_number() -> None:
    with pytest.raises(FileRejected) as caught:
        read_table(b"a,b\n1,2\n1,2,3\n", "ri.csv", trust())
    assert caught.value.rule == "file_unreadable"
    assert "line 3" in caught.value.message


@pytest.mark.parametrize("content", [b"", b"\n\n  \n", b",,\n1,2,3\n"])
def test_empty_or_headerless_file_is_file_empty(content: bytes) -> None:
    with pytest.raises(FileRejected) as caught:
        read_table(content, "ri.csv", trust())
    assert caught.value.rule == "file_empty"


def test_duplicate_headers_ignoring_case_and_spaces_are_rejected() -> None:
    with pytest.raises(FileRejected) as caught:
        read_table(b"Ward,start, WARD \n1,2,3\n", "ri.csv", trust())
    assert caught.value.rule == "duplicate_columns"
    assert "'WARD'" in caught.value.message
