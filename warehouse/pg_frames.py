"""Conversions between pandas frames and PostgreSQL rows, matching what DuckDB gives pandas.

Reads: a result set becomes the frame DuckDB's `.df()` would give for the same query, so code
written against either engine sees the same dtypes (grain: one frame row per result row):
- integers: int16/32/64, or the nullable Int16/32/64 when a value is NULL;
- booleans: bool, or nullable `boolean` when a value is NULL;
- double, real and numeric: float64 (NULL → NaN);
- text: pandas `str` (`object` of None when every value is NULL);
- DATE and TIMESTAMP: datetime64[us]; TIMESTAMPTZ: datetime64[us, UTC].

Writes: `copy_columns` turns a frame into per-column lists of Python values for a binary COPY,
one list per table column, coercing as DuckDB's INSERT ... SELECT would: NaN and NA → NULL,
text → str, whole-number floats → int. A value that cannot be coerced (e.g. "forty" for an
integer) raises ValueError or TypeError before anything is sent.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any, Final

import numpy as np
import pandas as pd
import pyarrow as pa
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

_INTS: Final = {21: "int16", 23: "int32", 20: "int64"}
_FLOATS: Final = {700, 701, 1700}
_TEXTS: Final = {25, 1043, 1042, 19}
_BOOL, _DATE, _TIMESTAMP, _TIMESTAMPTZ = 16, 1082, 1114, 1184


def _column(values: list[Any], oid: int) -> pd.Series:
    has_null = any(v is None for v in values)
    raw = pd.Series(values, dtype=object)
    dtype: Any = object
    if oid in _INTS:
        dtype = _INTS[oid].capitalize() if has_null else _INTS[oid]
    elif oid == _BOOL:
        dtype = "boolean" if has_null else bool
    elif oid in _FLOATS:
        return pd.Series([float("nan") if v is None else float(v) for v in values], dtype=float)
    elif oid in _TEXTS:  # DuckDB gives `object` (None) when every value is NULL
        dtype = object if raw.isna().all() else "str"
    elif oid in (_DATE, _TIMESTAMP):
        return pd.to_datetime(raw).astype("datetime64[us]")
    elif oid == _TIMESTAMPTZ:
        return pd.to_datetime(raw, utc=True).astype("datetime64[us, UTC]")
    return raw.astype(dtype)


def result_frame(columns: Sequence[tuple[str, int]], rows: Sequence[Sequence[Any]]) -> pd.DataFrame:
    """A DataFrame from (name, type OID) pairs and result rows, with DuckDB's dtypes."""
    by_column = list(zip(*rows, strict=True)) if rows else [() for _ in columns]
    data = {
        name: _column(list(values), oid)
        for (name, oid), values in zip(columns, by_column, strict=True)
    }
    return pd.DataFrame(data, columns=[name for name, _ in columns])


def _nulls(values: list[Any]) -> list[Any]:
    return [None if v is None or v is pd.NA or v is pd.NaT or v != v else v for v in values]


def _objects(values: pd.Series) -> list[Any]:
    """Python values, NA → None, without a Python loop (the dtype is already the target's).
    pandas-stubs do not allow `na_value=None`, hence the ignore."""
    return values.to_numpy(dtype=object, na_value=None).tolist()  # type: ignore[call-overload]


def _text(series: pd.Series) -> list[Any]:
    if isinstance(series.dtype, pd.StringDtype):  # str or NA only: nothing to coerce
        return _objects(series)
    return [None if v is None else str(v) for v in _nulls(series.astype(object).tolist())]


def _integer(series: pd.Series) -> list[Any]:
    return _objects(pd.to_numeric(series, errors="raise").astype("Int64"))


def _double(series: pd.Series) -> list[Any]:
    values = pd.to_numeric(series, errors="raise").astype("float64").to_numpy()
    out = values.astype(object)
    out[np.isnan(values)] = None
    return out.tolist()  # type: ignore[no-any-return]


def _boolean(series: pd.Series) -> list[Any]:
    return _objects(series.astype("boolean"))


def _date(series: pd.Series) -> list[Any]:
    dtype = series.dtype
    if isinstance(dtype, pd.ArrowDtype) and pa.types.is_date(dtype.pyarrow_dtype):
        return _objects(series)  # datetime.date already
    return _nulls(pd.to_datetime(series).dt.date.tolist())


def _timestamptz(series: pd.Series) -> list[Any]:
    return _nulls(pd.to_datetime(series, utc=True).dt.to_pydatetime().tolist())


_CONVERTERS: Final[dict[str, tuple[str, Callable[[pd.Series], list[Any]]]]] = {
    "TEXT": ("text", _text),
    "VARCHAR": ("text", _text),
    "INTEGER": ("int4", _integer),
    "BIGINT": ("int8", _integer),
    "SMALLINT": ("int2", _integer),
    "DOUBLE PRECISION": ("float8", _double),
    "FLOAT": ("float8", _double),
    "BOOLEAN": ("bool", _boolean),
    "DATE": ("date", _date),
    "TIMESTAMP WITH TIME ZONE": ("timestamptz", _timestamptz),
}


def copy_type(column: sa.Column[Any]) -> str:
    """The PostgreSQL type name binary COPY needs for a schema column (e.g. `int4`)."""
    return _CONVERTERS[str(column.type.compile(dialect=postgresql.dialect()))][0]


def copy_columns(table: sa.Table, frame: pd.DataFrame) -> list[list[Any]]:
    """One list of COPY-ready Python values per table column, in table column order."""
    out = []
    for column in table.columns:
        _, convert = _CONVERTERS[str(column.type.compile(dialect=postgresql.dialect()))]
        out.append(convert(frame[column.name]))
    return out


def python_param(value: object) -> object:
    """A query parameter psycopg can adapt: numpy scalars and pandas stamps become Python."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    if isinstance(value, Decimal | str | bytes):
        return value
    item = getattr(value, "item", None)
    return item() if callable(item) else value
