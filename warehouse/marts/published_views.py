"""`pub_*` views: the marts with NHS Digital small-number suppression, safe to share outside.

Grain: as the mart each view reads (one row per trust or `ALL`, month [, dimension, category]).
The rules are domain.md §3.3 (a), applied to every row, `ALL` included, through the SQL expressions
of `transforms.suppression`, so Python and both engines publish identical numbers:
- counts: under 5 → NULL, otherwise rounded to the nearest 5;
- rates per 1,000 OBD, in every breakdown: NULL when the numerator is under 5, the people behind
  it are under 5 (the overall rate: `people`; a per-type rate: `people_<kind>`; an equity cell:
  its own `people`) or bed days are under 100, otherwise rounded to a whole number; their
  confidence limits follow their rate;
- rate ratios and their limits: NULL when the row's rate or its reference category's rate is
  suppressed (a ratio beside a hidden rate gives it back), otherwise 2 decimals.
Bed days themselves are not published (NHS Digital uses them only to suppress).

The views are created by migration 0002 and replaced by 0004 (`CREATE OR REPLACE`, which keeps
PostgreSQL grants), on DuckDB and PostgreSQL alike. `tests/warehouse/marts/test_disclosure.py`
tries to recover every suppressed rate from the views alone.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Final

from transforms.suppression import suppress_count_sql, suppress_rate_sql
from warehouse.marts import published_funnel
from warehouse.marts.published_measures import measure_columns, shown_when, ward_columns
from warehouse.marts.trust_month import KINDS
from warehouse.schema import mart_equity_month, mart_funnel, mart_trust_month, mart_ward_month

DESCRIPTIONS: Final[dict[str, str]] = {
    "pub_trust_month": (
        "One row per (trust or 'ALL', month) of mart_trust_month, with small-number suppression"
        " (domain.md §3.3): counts under 5 NULL, others to the nearest 5; rates NULL when"
        " interventions or people (of the type, for a per-type rate) are under 5 or bed days"
        " under 100, or the month is incomplete; others whole numbers."
    ),
    "pub_equity_month": (
        "One row per (trust or 'ALL', month, dimension, category) of mart_equity_month, with"
        " small-number suppression (domain.md §3.3): interventions and people under 5 NULL,"
        " others to the nearest 5; rates and their limits NULL when interventions or people are"
        " under 5 or bed days under 100, others whole numbers; rate ratios to 2 decimals when"
        " both the rate and its reference category's rate are shown; people per 100 inpatients"
        " and its Wilson interval NULL when people or inpatients are under 5."
    ),
    "pub_ward_month": (
        "One row per (trust, ward or 'UNKNOWN', month) of mart_ward_month, with the small-number"
        " suppression of pub_trust_month (domain.md §3.3, §3.6): counts under 5 NULL, others to"
        " the nearest 5; rates and shares NULL when their numerator, denominator or people are"
        " under 5 (bed days under 100)."
    ),
    "pub_funnel": published_funnel.DESCRIPTION,
}


COUNT_NOTE: Final = "published: NULL under 5, else to the nearest 5"
RATE_NOTE: Final = "published: NULL when suppressed (domain.md §3.3), else a whole number"
RATIO_NOTE: Final = (
    "published: 2 decimals; NULL when the row's rate or its reference category's rate is suppressed"
)

Column = tuple[str, str, str | None]
"""(output name, SQL expression, note appended to the mart column's comment or None)."""


def _count(column: str) -> Column:
    return column, suppress_count_sql(column), COUNT_NOTE


def _same(column: str) -> Column:
    return column, column, None


def _two_decimals_when(shown: str, column: str) -> Column:
    """`column` to 2 decimals (half away from zero) when `shown` is not NULL, else NULL."""
    rounded = f"SIGN({column}) * FLOOR(ABS({column}) * 100 + 0.5) / 100"
    return column, f"CASE WHEN ({shown}) IS NULL THEN NULL ELSE {rounded} END", RATIO_NOTE


def trust_month_columns(ward: bool = False) -> list[Column]:
    columns = [_same("trust_code"), _same("reporting_month")]
    if ward:
        columns = [_same(c) for c in ("trust_code", "ward_code", "reporting_month")]
        columns += ward_columns()
    columns += [_count(c) for c in ("interventions", "incidents", "people")]
    columns += [_count(f"interventions_{kind}") for kind in KINDS]
    overall = suppress_rate_sql(
        "interventions_per_1000_obd", "interventions", "occupied_bed_days", people="people"
    )
    columns.append(("interventions_per_1000_obd", overall, RATE_NOTE))
    for kind in KINDS:
        rate = f"interventions_per_1000_obd_{kind}"
        rule = suppress_rate_sql(
            rate, f"interventions_{kind}", "occupied_bed_days", people=f"people_{kind}"
        )
        columns.append((rate, rule, RATE_NOTE))
    totals = ("completeness",) if ward else ("completeness", "trusts_included", "trusts_expected")
    columns += [_same(c) for c in totals]
    columns += [_count(f"people_{kind}") for kind in KINDS]
    return columns + measure_columns()


def equity_month_columns() -> list[Column]:
    shown = suppress_rate_sql("rate_per_1000_obd", "interventions", "occupied_bed_days", "people")
    # The reference category's rate, under the same rule: a ratio beside a hidden reference
    # rate would give it back (published rate / ratio), so the ratio needs both rates shown.
    reference = suppress_rate_sql(
        "ref_rate_per_1000_obd", "ref_interventions", "ref_occupied_bed_days", "ref_people"
    )
    both = f"CASE WHEN ({shown}) IS NULL OR ({reference}) IS NULL THEN NULL ELSE 1 END"
    columns = [_same(c) for c in ("trust_code", "reporting_month", "dimension", "category",
                                  "category_label", "category_order", "is_reference")]  # fmt: skip
    columns += [_count("interventions"), ("rate_per_1000_obd", shown, RATE_NOTE)]
    for limit in ("rate_ci_lower", "rate_ci_upper"):
        rule = suppress_rate_sql(limit, "interventions", "occupied_bed_days", "people")
        columns.append((limit, rule, RATE_NOTE))
    for ratio in ("rate_ratio", "rate_ratio_ci_lower", "rate_ratio_ci_upper"):
        columns.append(_two_decimals_when(both, ratio))
    columns += [_count("people"), _same("completeness"), _count("inpatients")]
    for column in ("people_per_100_inpatients", "people_rate_ci_lower", "people_rate_ci_upper"):
        columns.append(shown_when(column, ("people", "inpatients"), 0, "people_per_100_inpatients"))
    return columns


# pub_equity_month reads each cell beside its dimension's reference cell (same trust, month
# and dimension), so the ratio can be hidden when either rate is.
EQUITY_WITH_REFERENCE: Final = """(
  SELECT m.*, r.rate_per_1000_obd AS ref_rate_per_1000_obd, r.interventions AS ref_interventions,
         r.occupied_bed_days AS ref_occupied_bed_days, r.people AS ref_people
  FROM mart_equity_month m
  LEFT JOIN mart_equity_month r
    ON r.trust_code = m.trust_code AND r.reporting_month = m.reporting_month
   AND r.dimension = m.dimension AND r.is_reference
) cell"""
SOURCES: Final = {"pub_trust_month": mart_trust_month, "pub_equity_month": mart_equity_month,
                  "pub_ward_month": mart_ward_month, "pub_funnel": mart_funnel}  # fmt: skip
FROM_CLAUSES: Final = {"pub_trust_month": mart_trust_month.name,
                       "pub_equity_month": EQUITY_WITH_REFERENCE,
                       "pub_ward_month": mart_ward_month.name,
                       "pub_funnel": mart_funnel.name}  # fmt: skip
FIRST_VIEWS: Final = ("pub_trust_month", "pub_equity_month")
"""The views migrations 0002 and 0004 create (their marts exist from 0001)."""
WARD_VIEWS: Final = (*FIRST_VIEWS, "pub_ward_month")
"""The views migration 0009 creates (with mart_ward_month); 0010 adds pub_funnel."""


def _columns(name: str) -> list[Column]:
    if name == "pub_funnel":
        return published_funnel.funnel_columns()
    if name == "pub_equity_month":
        return equity_month_columns()
    return trust_month_columns(ward=name == "pub_ward_month")


def published_views() -> dict[str, str]:
    """View name → SELECT statement."""
    out = {}
    for name in SOURCES:
        select = ",\n       ".join(f"{expr} AS {column}" if expr != column else column
                                   for column, expr, _ in _columns(name))  # fmt: skip
        out[name] = f"SELECT {select}\nFROM {FROM_CLAUSES[name]}"
    return out


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def column_comments(name: str) -> dict[str, str]:
    """Comment of every column of view `name`: the mart column's, plus how it is published."""
    source = SOURCES[name]
    out = {}
    for column, _, note in _columns(name):
        comment = source.c[column].comment or ""
        out[column] = f"{comment} ({note})" if note else comment
    return out


def view_statements(only: Collection[str] | None = None) -> list[str]:
    """CREATE OR REPLACE VIEW, then COMMENT ON the view and each of its columns (both engines),
    for every view or the ones named in `only` (a migration creates those whose marts exist)."""
    statements = []
    for name, select in published_views().items():
        if only is not None and name not in only:
            continue
        statements.append(f"CREATE OR REPLACE VIEW {name} AS\n{select}")
        statements.append(f"COMMENT ON VIEW {name} IS {_literal(DESCRIPTIONS[name])}")
        statements += [
            f"COMMENT ON COLUMN {name}.{column} IS {_literal(comment)}"
            for column, comment in column_comments(name).items()
        ]
    return statements


def view_columns(name: str) -> list[Column]:
    """(column, SQL expression, note) of every column of view `name`, in order (the dictionary)."""
    return _columns(name)
