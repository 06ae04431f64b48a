"""The Parquet lake: one file per (table, trust, month), replaced atomically.

Layout `<lake_root>/<table>/trust_code=<ODS>/reporting_month=<YYYY-MM>/part-0.parquet` (Hive
style, so DuckDB, Spark and pyarrow prune by partition). The file is written to a hidden
temporary name in the same folder and renamed over the target, so a reader or a crash never sees
half a file; on object stores a single put is already atomic. The lake root is any fsspec URL
(local path by default). The trust code is checked against the ODS pattern and the table name
against a plain identifier, so neither can smuggle a path (`../`) into the layout.
"""

from __future__ import annotations

import io
import re
from datetime import date
from typing import Final

import fsspec
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from mhsip.atomic import write_atomically
from transforms.trust_config import ODS_CODE

TABLE_NAME: Final = re.compile(r"^[a-z][a-z0-9_]{0,62}$")
PART_FILE: Final = "part-0.parquet"


def partition_path(lake_root: str, table: str, trust_code: str, reporting_month: date) -> str:
    if not TABLE_NAME.fullmatch(table):
        raise ValueError(f"lake table name {table!r} is not a lower-case identifier")
    if not ODS_CODE.fullmatch(trust_code):
        raise ValueError(f"trust code {trust_code!r} is not an ODS code (3-5 letters or digits)")
    root = lake_root.rstrip("/")
    partition = f"trust_code={trust_code}/reporting_month={reporting_month:%Y-%m}"
    return f"{root}/{table}/{partition}/{PART_FILE}"


def write_lake_partition(
    lake_root: str, table: str, trust_code: str, reporting_month: date, frame: pd.DataFrame
) -> str:
    """Write (or replace) one partition's Parquet file atomically; returns its path or URL."""
    target = partition_path(lake_root, table, trust_code, reporting_month)
    fs, path = fsspec.core.url_to_fs(target)
    buffer = io.BytesIO()
    pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), buffer)
    write_atomically(fs, path, buffer.getvalue())
    return target


def read_lake(lake_root: str, table: str) -> str:
    """Glob of a lake table's files, for DuckDB: `SELECT * FROM read_parquet('<glob>')`."""
    if not TABLE_NAME.fullmatch(table):
        raise ValueError(f"lake table name {table!r} is not a lower-case identifier")
    return f"{lake_root.rstrip('/')}/{table}/trust_code=*/reporting_month=*/{PART_FILE}"
