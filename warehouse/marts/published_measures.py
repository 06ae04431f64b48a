"""How the measures of domain.md §3.6 are published in `pub_trust_month` and `pub_ward_month`.

The rule is §3.3 (a) carried over: a count under 5 is NULL, others to the nearest 5; a rate, share
or average is NULL when any count it is made from (its numerator, its denominator, the people
behind it) is under 5 (bed days under 100), otherwise rounded (whole numbers; interventions per
incident to 1 decimal). Durations and days rest on the interventions of their family, so they
need 5 ended (for days: still active) interventions and 5 people of that family; days to
1 decimal. SQL valid on both engines.
"""

from __future__ import annotations

from typing import Final

from transforms.suppression import MIN_COUNT, suppress_count_sql, suppress_rate_sql

Column = tuple[str, str, str | None]
COUNT_NOTE: Final = "published: NULL under 5, else to the nearest 5"
VALUE_NOTE: Final = "published: NULL when a count it rests on is under 5, else rounded"
SHOWN_AS_IS: Final = ("ward_type", "security_level")


def _round(column: str, places: int = 0) -> str:
    scale = 10**places
    if not places:
        return f"CAST(SIGN({column}) * FLOOR(ABS({column}) + 0.5) AS BIGINT)"
    return f"SIGN({column}) * FLOOR(ABS({column}) * {scale} + 0.5) / {scale}"


def shown_when(
    column: str, counts: tuple[str, ...], places: int = 0, follows: str | None = None
) -> Column:
    """`column` rounded when it (and `follows`, the value a limit belongs to) and every one of
    `counts` is present and at least 5."""
    hidden = [f"{column} IS NULL", *(f"{c} IS NULL OR {c} < {MIN_COUNT}" for c in counts)]
    if follows:
        hidden.append(f"{follows} IS NULL")
    expr = f"CASE WHEN {' OR '.join(hidden)} THEN NULL ELSE {_round(column, places)} END"
    return column, expr, VALUE_NOTE


def ward_columns() -> list[Column]:
    return [(c, c, None) for c in SHOWN_AS_IS]


COUNTS: Final = (
    "inpatients", "people_2plus_interventions", "people_5plus_interventions",
    "interventions_injury_patient", "interventions_debrief_patient",
    "seclusion_ended", "segregation_ended", "physical_ended", "seclusion_active",
    "segregation_active",
)  # fmt: skip
VALUE_RULES: Final[dict[str, tuple[tuple[str, ...], int]]] = {
    "pct_inpatients_restricted": (("people", "inpatients"), 0),
    "interventions_per_incident": (("interventions", "incidents", "people"), 1),
    "pct_physical_prone": (("interventions_prone", "interventions_physical", "people_prone"), 0),
    "pct_injury_patient": (("interventions_injury_patient", "interventions", "people"), 0),
    "pct_debrief_patient": (("interventions_debrief_patient", "interventions", "people"), 0),
    **{
        f"{family}_minutes_{stat}": ((f"{family}_ended", f"people_{family}"), 0)
        for family in ("seclusion", "segregation", "physical")
        for stat in ("mean", "median", "max")
    },
    **{
        f"{family}_days": ((f"{family}_active", f"people_{family}"), 1)
        for family in ("seclusion", "segregation")
    },
}
"""Column -> (the counts it rests on, each at least 5 for it to be shown; decimal places)."""


def measure_columns() -> list[Column]:
    out: list[Column] = [(c, suppress_count_sql(c), COUNT_NOTE) for c in COUNTS]
    incidents_rate = suppress_rate_sql(
        "incidents_per_1000_obd", "incidents", "occupied_bed_days", people="people"
    )
    out.append(("incidents_per_1000_obd", incidents_rate, VALUE_NOTE))
    out += [shown_when(column, counts, places) for column, (counts, places) in VALUE_RULES.items()]
    return out
