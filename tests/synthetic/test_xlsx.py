from __future__ import annotations

import io
import zipfile
from datetime import date, datetime

import numpy as np
import openpyxl

from synthetic.xlsx import column_letter, sheet_xml, workbook_bytes

WHEN = datetime(2024, 2, 1, 6, 0)


def _book() -> bytes:
    columns = [
        np.array(["007", "A&B <x>", ""]),
        np.array(["2024-01-05T07:09", "NaT", "2024-10-27T01:30"], dtype="datetime64[m]"),
        np.array(["1990-01-02", "2000-02-29", "NaT"], dtype="datetime64[D]"),
    ]
    return workbook_bytes(
        "Extract", sheet_xml(["id", "start", "dob"], columns, 3, "Title – Jan"), WHEN
    )


def test_column_letters() -> None:
    assert [column_letter(i) for i in (0, 25, 26, 51, 52, 701, 702)] == [
        "A",
        "Z",
        "AA",
        "AZ",
        "BA",
        "ZZ",
        "AAA",
    ]


def test_workbook_reads_back_with_title_rows_and_typed_dates() -> None:
    book = openpyxl.load_workbook(io.BytesIO(_book()))
    assert book.sheetnames == ["Extract"]
    rows = list(book["Extract"].iter_rows(values_only=True))
    assert rows == [
        ("Title – Jan", None, None),
        (None, None, None),
        ("id", "start", "dob"),
        ("007", datetime(2024, 1, 5, 7, 9), datetime(1990, 1, 2)),
        ("A&B <x>", None, datetime(2000, 2, 29)),
        (None, datetime(2024, 10, 27, 1, 30), None),
    ]
    assert book.properties.created == WHEN and book.properties.modified == WHEN
    assert isinstance(rows[3][2], date)


def test_bytes_are_reproducible_and_zip_dates_fixed() -> None:
    assert _book() == _book()
    with zipfile.ZipFile(io.BytesIO(_book())) as archive:
        assert {i.date_time for i in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}
