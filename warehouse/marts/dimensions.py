"""Dimension rows built from declarations (trust YAML, national code sets) and from the facts.

Pure functions returning frames in table-column order; the store replaces each dimension whole,
because they are small (tens to hundreds of rows) and fully derived.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from datetime import date
from typing import Final

import pandas as pd

from transforms import codes
from transforms.trust_config import Registry
from warehouse.marts.spc_settings import spc_settings_columns
from warehouse.schema import (
    column_names,
    dim_change,
    dim_collaborative,
    dim_ethnicity,
    dim_intervention_type,
    dim_month,
    dim_trust,
    dim_ward,
)

REGION_NAMES: Final = {"Y58": "South West", "Y59": "South East"}


def trust_rows(registry: Registry) -> pd.DataFrame:
    rows = [
        {"trust_code": t.ods_code, "trust_name": t.name, "region_code": t.region,
         "region_name": REGION_NAMES[t.region], "provider_type": t.provider_type,
         "code_confirmed": t.code_confirmed, "file_format": t.format,
         **spc_settings_columns(t.spc.over(registry.collaborative.spc))}
        for t in sorted(registry.trusts.values(), key=lambda t: t.ods_code)
    ]  # fmt: skip
    return pd.DataFrame(rows, columns=column_names(dim_trust))


def collaborative_rows(registry: Registry) -> pd.DataFrame:
    """dim_collaborative's one row from config/collaborative.yaml."""
    own = registry.collaborative
    row = {"collaborative_name": own.name, **spc_settings_columns(own.spc)}
    return pd.DataFrame([row], columns=column_names(dim_collaborative))


def intervention_type_rows() -> pd.DataFrame:
    rows = [
        {"intervention_type_code": code, "intervention_type_label": label,
         "intervention_family": codes.INTERVENTION_FAMILY[code],
         "is_prone": code == codes.PRONE_CODE,
         "is_rapid_tranquillisation": code == codes.RAPID_TRANQUILLISATION_CODE,
         "display_order": codes.INTERVENTION_DISPLAY_ORDER[code]}
        for code, label in codes.INTERVENTION_TYPES.items()
    ]  # fmt: skip
    return pd.DataFrame(rows, columns=column_names(dim_intervention_type))


def ethnicity_rows() -> pd.DataFrame:
    rows = [
        {"ethnic_category_code": code, "ethnic_category_label": label, "ethnic_group": group,
         "ethnic_group_order": codes.ETHNIC_GROUP_ORDER.index(group) + 1,
         "category_order": order,
         "is_not_stated_or_known": code in codes.ETHNICITY_NOT_STATED_OR_KNOWN}
        for order, (code, (label, group)) in enumerate(codes.ETHNIC_CATEGORIES.items(), start=1)
    ]  # fmt: skip
    return pd.DataFrame(rows, columns=column_names(dim_ethnicity))


def financial_year(month: date) -> str:
    """NHS financial year (April to March), e.g. 2025-03 -> '2024/25'."""
    start = month.year if month.month >= 4 else month.year - 1
    return f"{start}/{(start + 1) % 100:02d}"


def month_rows(months: Iterable[date]) -> pd.DataFrame:
    rows = []
    for m in sorted({date(m.year, m.month, 1) for m in months}):
        days = calendar.monthrange(m.year, m.month)[1]
        rows.append(
            {"reporting_month": m, "month_label": f"{m:%Y-%m}", "calendar_year": m.year,
             "month_number": m.month, "financial_year": financial_year(m),
             "month_end": m.replace(day=days), "days_in_month": days}
        )  # fmt: skip
    return pd.DataFrame(rows, columns=column_names(dim_month))


def ward_rows(observed: pd.DataFrame) -> pd.DataFrame:
    """One row per (trust, ward): attributes from the latest month stating each, months seen.

    `observed` holds distinct (trust_code, ward_code, reporting_month, ward_type_code,
    ward_security_level, bed_type_code) from both facts.
    """
    keys = ["trust_code", "ward_code"]
    ordered = observed.sort_values([*keys, "reporting_month"])
    grouped = ordered.groupby(keys)
    out = grouped.agg(
        ward_type_code=("ward_type_code", "last"),  # "last" skips missing values
        ward_security_level=("ward_security_level", "last"),
        bed_type_code=("bed_type_code", "last"),
        first_month=("reporting_month", "min"),
        last_month=("reporting_month", "max"),
    ).reset_index()
    out["ward_type_label"] = out["ward_type_code"].map(codes.WARD_TYPES)
    out["ward_security_label"] = out["ward_security_level"].map(codes.WARD_SECURITY_LEVELS)
    return out[column_names(dim_ward)]


def change_rows(registry: Registry) -> pd.DataFrame:
    """dim_change: every trust's declared changes (domain.md §4.7), one row each."""
    rows = [
        {
            "trust_code": code,
            "ward_code": change.ward,
            "from_month": date.fromisoformat(f"{change.from_month}-01"),
            "label": change.label,
            "recalculate": change.recalculate,
        }
        for code, trust in sorted(registry.trusts.items())
        for change in trust.changes
    ]
    return pd.DataFrame(rows, columns=column_names(dim_change))
