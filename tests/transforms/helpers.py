"""Small frames and configs for transform tests (synthetic values only, never real patients)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd

from transforms.canonical import SOURCE_ROW, Dataset, mapped_columns
from transforms.derive import derive_fields
from transforms.trust_config import CodeMaps, TrustConfig

KEY = b"test-key-not-secret"
OCTOBER = dt.date(2024, 10, 1)


def trust(**overrides: Any) -> TrustConfig:
    settings: dict[str, Any] = {
        "ods_code": "RX2",
        "name": "Synthetic Partnership",
        "region": "Y59",
        "format": "csv",
    }
    settings.update(overrides)
    return TrustConfig(**settings)


NO_SYNONYMS = CodeMaps(maps={})


def mapped(dataset: Dataset, rows: list[dict[str, Any]]) -> pd.DataFrame:
    """A mapped frame: every canonical column, unspecified cells NA, rows numbered from 2."""
    columns = mapped_columns(dataset)
    records = [
        {SOURCE_ROW: i + 2, **{c: row.get(c) for c in columns if c != SOURCE_ROW}}
        for i, row in enumerate(rows)
    ]
    frame = pd.DataFrame(records, columns=columns)
    return frame.astype({c: "str" for c in columns if c != SOURCE_ROW}).astype(
        {SOURCE_ROW: "int64"}
    )


def derived(dataset: Dataset, rows: list[dict[str, Any]], month: dt.date = OCTOBER) -> pd.DataFrame:
    return derive_fields(mapped(dataset, rows), dataset, month)


def values(series: pd.Series) -> list[Any]:
    """The series as a list with every kind of missing value as None (for exact comparison)."""
    return [None if pd.isna(v) else v for v in series.tolist()]
