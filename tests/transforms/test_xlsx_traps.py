"""Excel's traps: merged, blank or error-valued headings reject the file naming the cells; an
error value in a data cell is read as its error text (never blank) and quarantines the row."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest

from tests.transforms.helpers import trust
from transforms.derive import excel_error_rows
from transforms.errors import FileRejected
from transforms.read import read_table
from transforms.xlsx_traps import column_letters

XLSX = trust(format="xlsx", sheet="Data", header_row=2)


def _book(header: list[object], rows: list[list[object]], merge: str | None = None) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Data"
    sheet.append(["Restrictive interventions, January 2024"])  # a title row
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    if merge:
        sheet.merge_cells(merge)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_column_letters() -> None:
    assert [column_letters(i) for i in (0, 1, 25, 26, 27, 701, 702)] == [
        "A", "B", "Z", "AA", "AB", "ZZ", "AAA",
    ]  # fmt: skip


def test_merged_header_cells_reject_the_file_naming_them() -> None:
    content = _book(["id", "Started", None, "ward"], [["1", dt.datetime(2024, 1, 2), None, "W"]],
                    merge="B2:C2")  # fmt: skip
    with pytest.raises(FileRejected, match=r"row 2\) has merged cells B2:C2") as caught:
        read_table(content, "ri.xlsx", XLSX)
    assert caught.value.rule == "file_unreadable"


def test_an_error_value_or_a_blank_heading_over_data_rejects_the_file() -> None:
    content = _book(["id", "#REF!", None, "ward"], [["1", "x", "y", "W"]])
    with pytest.raises(FileRejected) as caught:
        read_table(content, "ri.xlsx", XLSX)
    assert "B2 holds the error #REF!" in caught.value.message
    assert "C2 is blank over a column of data" in caught.value.message


def test_a_blank_heading_over_an_empty_column_is_fine() -> None:
    frame = read_table(_book(["id", None, "ward"], [["1", None, "W"]]), "ri.xlsx", XLSX)
    assert list(frame.columns) == ["id", "ward", "source_row_number"]


@pytest.mark.parametrize("error", ["#REF!", "#DIV/0!", "#VALUE!", "#N/A", "#NAME?", "#NUM!"])
def test_an_error_in_a_data_cell_is_read_as_its_text_and_marks_the_row(error: str) -> None:
    content = _book(["id", "start", "end"], [["1", "2024-01-02 10:00", error], ["2", "x", "y"]])
    frame = read_table(content, "ri.xlsx", XLSX)
    assert frame["end"].tolist() == [error, "y"]
    assert excel_error_rows(frame).tolist() == [True, False]
