"""Hostile bytes refused before a parser expands them (transforms.read_guards via read_table)."""

from __future__ import annotations

import io
import struct
import zipfile

import openpyxl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from tests.transforms.helpers import trust
from transforms.errors import FileRejected
from transforms.read import read_table
from transforms.read_guards import ReadLimits


def _rejected(
    content: bytes, name: str, limits: ReadLimits | None = None, **config
) -> FileRejected:
    with pytest.raises(FileRejected) as caught:
        if limits is None:
            read_table(content, name, trust(**config))
        else:
            read_table(content, name, trust(**config), limits=limits)
    return caught.value


def _workbook(rows: list[list[object]]) -> bytes:
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("content", "says"),
    [
        ("a,b\n1,2\n".encode("utf-16"), "is UTF-16 text"),
        ("a,b\n1,2\n".encode("utf-16-le"), "is UTF-16 text"),  # no BOM: every other byte 0
        ("a,b\n1,2\n".encode("utf-32"), "is UTF-32 text"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600), "is an Excel file"),
        (b"PK\x03\x04" + bytes(60), "is an Excel workbook or zip"),
        (b"a,b\n\x00\x00\x07,1\n", "is a binary file"),
    ],
)
def test_csv_trust_names_what_was_sent_instead_of_text(content: bytes, says: str) -> None:
    error = _rejected(content, "ri.csv")
    assert error.rule == "file_unreadable"
    assert f"ri.csv {says}" in error.message


def test_one_column_header_with_another_delimiter_names_it() -> None:
    error = _rejected(b"incident_id;start;ward\nI1;2024-01-01;W\n", "ri.csv")
    assert error.rule == "file_unreadable"
    assert "separated by ';', but this trust is set up for ','" in error.message


def test_a_data_row_as_header_is_refused_without_quoting_it() -> None:
    content = b"I1,943 476 5919,1990-02-01,W1\nI2,943 476 5919,1990-02-01,W1\n"
    error = _rejected(content, "ri.csv")
    assert error.rule == "missing_required_columns"
    assert "row 1 should hold the column headings" in error.message
    assert "5919" not in error.message and "1990" not in error.message


def test_encrypted_workbook_and_legacy_xls_are_told_apart() -> None:
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(1000)
    encrypted = ole + "EncryptionInfo".encode("utf-16-le")
    assert "password-protected" in _rejected(encrypted, "ri.xlsx", format="xlsx").message
    assert "Excel 97-2003 (.xls)" in _rejected(ole, "ri.xlsx", format="xlsx").message


def test_workbook_over_the_declared_size_limit_is_not_opened() -> None:
    content = _workbook([["incident_id"], ["I1"]])
    error = _rejected(content, "ri.xlsx", ReadLimits(max_uncompressed_bytes=1000), format="xlsx")
    assert error.rule == "file_too_large"
    assert "ri.xlsx would expand to more than" in error.message


def test_high_ratio_member_is_refused_but_a_normal_workbook_reads() -> None:
    content = _workbook([["incident_id"], ["I1"]])
    assert read_table(content, "ri.xlsx", trust(format="xlsx"))["incident_id"].tolist() == ["I1"]
    buffer = io.BytesIO(content)
    with zipfile.ZipFile(buffer, "a", zipfile.ZIP_DEFLATED) as book:
        book.writestr("xl/media/zeros.bin", bytes(4 << 20))
    assert _rejected(buffer.getvalue(), "ri.xlsx", format="xlsx").rule == "file_too_large"


def test_a_zip_that_lies_about_its_sizes_is_caught_while_inflating() -> None:
    """Declared sizes patched to look small: only the capped inflate can see the real size."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as book:
        book.writestr("xl/worksheets/sheet1.xml", bytes(3 << 20))
    data = bytearray(buffer.getvalue())
    central = data.index(b"PK\x01\x02")
    compressed = struct.unpack("<I", data[central + 20 : central + 24])[0]
    data[central + 24 : central + 28] = struct.pack("<I", compressed)  # "uncompressed" = compressed
    data[22:26] = struct.pack("<I", compressed)  # the local header says the same
    limits = ReadLimits(max_uncompressed_bytes=1 << 20)
    error = _rejected(bytes(data), "ri.xlsx", limits, format="xlsx")
    assert error.rule == "file_too_large"


def test_parquet_declaring_more_than_the_limit_is_refused() -> None:
    buffer = io.BytesIO()
    pq.write_table(pa.table({"incident_id": [f"I{i:06d}" for i in range(2000)]}), buffer)
    error = _rejected(buffer.getvalue(), "ri.parquet", ReadLimits(1000), format="parquet")
    assert error.rule == "file_too_large"


@pytest.mark.parametrize("cut", [0.3, 0.6, 0.9, 0.97])
def test_a_truncated_or_misdirected_workbook_is_unreadable_not_a_crash(cut: float) -> None:
    content = _workbook([["incident_id"], ["I1"]])
    truncated = content[: int(len(content) * cut)]
    assert _rejected(truncated, "ri.xlsx", format="xlsx").rule == "file_unreadable"
    bent = bytearray(content)
    central = bent.index(b"PK\x01\x02")
    bent[central + 42 : central + 46] = struct.pack("<I", len(content) - 10)  # header offset
    assert _rejected(bytes(bent), "ri.xlsx", format="xlsx").rule == "file_unreadable"
