"""Serialise one extract table to the bytes a trust would send: CSV, XLSX or Parquet.

Deterministic by construction: no timestamps from the clock (Excel document dates are fixed by
the caller; Parquet carries only the writer's version), rows in the order given. CSV blanks are
empty fields; Parquet blanks are nulls; typed date-times stay typed in Parquet and Excel.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from datetime import datetime

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from synthetic.xlsx import sheet_xml, workbook_bytes
from transforms.trust_config import TrustConfig


def csv_bytes(
    headers: Sequence[str], columns: Sequence[np.ndarray], trust: TrustConfig, crlf: bool
) -> bytes:
    text = io.StringIO()
    writer = csv.writer(text, delimiter=trust.delimiter, lineterminator="\r\n" if crlf else "\n")
    writer.writerow(headers)
    writer.writerows(zip(*(c.astype(str).tolist() for c in columns), strict=True))
    return text.getvalue().encode(trust.encoding)


def parquet_bytes(headers: Sequence[str], columns: Sequence[np.ndarray]) -> bytes:
    arrays = []
    for values in columns:
        if values.dtype.kind == "M":
            unit = "D" if values.dtype == np.dtype("datetime64[D]") else "us"
            typed = values.astype(f"datetime64[{unit}]")
            arrays.append(pa.array(typed, mask=np.isnat(typed)))
        else:
            strings = values.astype(str)
            arrays.append(pa.array(strings.tolist(), type=pa.string(), mask=strings == ""))
    buffer = io.BytesIO()
    pq.write_table(pa.Table.from_arrays(arrays, names=list(headers)), buffer)
    return buffer.getvalue()


def xlsx_bytes(
    headers: Sequence[str],
    columns: Sequence[np.ndarray],
    trust: TrustConfig,
    title: str,
    when: datetime,
) -> bytes:
    sheet = sheet_xml(headers, columns, trust.header_row, title)
    return workbook_bytes(trust.sheet or "Sheet1", sheet, when)


def file_bytes(
    headers: Sequence[str],
    columns: Sequence[np.ndarray],
    trust: TrustConfig,
    *,
    crlf: bool,
    title: str,
    when: datetime,
) -> bytes:
    if trust.format == "csv":
        return csv_bytes(headers, columns, trust, crlf)
    if trust.format == "parquet":
        return parquet_bytes(headers, columns)
    return xlsx_bytes(headers, columns, trust, title, when)
