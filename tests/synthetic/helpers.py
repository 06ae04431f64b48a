"""Helpers for the generator tests: the small run they share, and reading a generated file back
the simple way, independent of transforms/read.py.

Returns a frame of the trust's columns renamed to canonical names (values as written: text,
or datetime for typed cells) and the source row number of its first data row.
"""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import openpyxl
import pandas as pd
import pyarrow.parquet as pq

from synthetic import GenerationManifest
from transforms.canonical import Dataset, field_names
from transforms.trust_config import TrustConfig


def read_generated(path: Path, trust: TrustConfig, dataset: Dataset) -> tuple[pd.DataFrame, int]:
    if trust.format == "csv":
        frame = pd.read_csv(
            path, sep=trust.delimiter, encoding=trust.encoding, dtype=str, keep_default_na=False
        )
    elif trust.format == "parquet":
        frame = pq.read_table(path).to_pandas()
    else:
        book = openpyxl.load_workbook(io.BytesIO(path.read_bytes()))
        rows = list(book[trust.sheet or book.sheetnames[0]].iter_rows(values_only=True))
        header = rows[trust.header_row - 1]
        frame = pd.DataFrame(rows[trust.header_row :], columns=list(header), dtype=object)
    canonical = {trust.header_for(dataset, f): f for f in field_names(dataset)}
    return frame.rename(columns=canonical), trust.header_row + 1


def blank(value: object) -> bool:
    """Empty CSV field, null Parquet value or empty Excel cell."""
    return value is None or value == "" or bool(pd.isna(value))  # type: ignore[call-overload]


CONFIG = Path(__file__).resolve().parents[2] / "config"


TRUSTS = ["RJ8", "NQL", "RVN", "RWV", "RH5"]


START = dt.date(2024, 1, 1)


Run = tuple[Path, GenerationManifest]
