"""Column helpers shared by the schema modules, so every column is declared with its comment."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa


def col(name: str, type_: Any, comment: str, **kwargs: Any) -> sa.Column[Any]:
    """A column with its mandatory comment (units, code set): the data dictionary's source."""
    return sa.Column(name, type_, comment=comment, **kwargs)


def partition_columns(collaborative: bool = False) -> list[sa.Column[Any]]:
    """`trust_code` and `reporting_month`: the partition key of every fact and mart row."""
    who = "; 'ALL' for the whole collaborative" if collaborative else ""
    return [
        col("trust_code", sa.Text, f"ODS code of the trust{who}", nullable=False),
        col("reporting_month", sa.Date, "reporting month (DATE, first day)", nullable=False),
    ]
