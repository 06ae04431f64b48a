"""The row-level Great Expectations suites, one per canonical dataset, built in code.

Each suite checks a *derived* frame (docs/architecture.md, "Derive"): the mapped text columns
plus the typed `_...` helper columns. Every expectation carries `meta={"rule": <name>}` naming an
entry of `expectations.rules.RULES`, and the GX severity that drives the split: `critical` for a
`quarantine_row` rule (the failing rows are quarantined), `warning` for a `warn` rule (the rows
load; the trust is told). A rule may own more than one expectation (e.g. "missing" and "not in
the code set"). One table-level parameter varies by trust: `ethnicity_known_share_min`
(1 - the trust's `ethnicity_unknown_warn_share`), passed at run time as an expectation parameter.

The suites are exported as JSON to `expectations/suites/<dataset>.json` (committed, so a rule
change is a reviewable diff); a test fails when that JSON is stale. Regenerate with
`python -m expectations.suites`.

GX is imported inside functions: importing it costs about 3 s.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final
from zoneinfo import ZoneInfo

from expectations.rules import RULES
from transforms.canonical import DATASETS, Dataset
from transforms.codes import (
    ETHNIC_CATEGORIES,
    ETHNICITY_NOT_STATED_OR_KNOWN,
    FAMILIES,
    GENDER_IDENTITY,
    INTERVENTION_FAMILY,
    INTERVENTION_REASONS,
    INTERVENTION_TYPES,
    STATED_GENDER,
    YES_NO,
)
from transforms.screening import MARKER
from transforms.trust_config import Plausibility

if TYPE_CHECKING:
    import great_expectations as gx

SUITES_FOLDER: Final = Path(__file__).parent / "suites"
ETHNICITY_PARAMETER: Final = "ethnicity_known_share_min"
# Rules whose `mostly` share is a per-trust run parameter, not a constant of the suite.
MOSTLY_PARAMETERS: Final = {"ethnicity_not_stated_high": ETHNICITY_PARAMETER}
LSOA_PATTERN: Final = r"^E01[0-9]{6}$"  # 2011 and 2021 English LSOA codes share this shape
# Plausibility bounds: per intervention family, from config/collaborative.yaml (`plausibility`,
# transforms.trust_config.Plausibility), passed at run time as expectation parameters (one value
# per run: every trust shares them). `plausibility_parameters` gives their values.
WARNED_FAMILIES: Final = ("physical", "chemical")  # restraint_over_24_hours is a restraint rule
# end_after_arrival: an end (a UTC instant, naive for GX) from the local midnight that ends the
# day the file arrived
LATEST_END_PARAMETER: Final = "end_of_arrival_day"
LONDON: Final = "Europe/London"
EARLIEST_START: Final = "1900-01-01T00:00:00"  # compared with the naive local start date
RI_FLAGS: Final = (
    "injury_patient", "injury_staff", "injury_other", "post_incident_review_patient", "lda_flag",
)  # fmt: skip
_SEVERITY: Final = {"quarantine_row": "critical", "warn": "warning"}
Add = Callable[..., None]  # add(rule, ExpectationClass, **kwargs)


def suite_name(dataset: Dataset) -> str:
    return f"{dataset}_rows"


def _person_checks(gxe: Any, add: Add) -> None:
    """Checks shared by both datasets: patient, date of birth, ethnicity, ward, gender, LSOA."""
    add("patient_id_missing", gxe.ExpectColumnValuesToNotBeNull, column="patient_key")
    add(
        "nhs_number_invalid",
        gxe.ExpectColumnValuesToBeInSet,
        column="nhs_number_status",
        value_set=["absent", "valid"],
    )
    add("date_of_birth_missing_or_invalid", gxe.ExpectColumnValuesToNotBeNull, column="_dob")
    add(
        "date_of_birth_after_event",
        gxe.ExpectColumnPairValuesAToBeGreaterThanB,
        column_A="_event_date",
        column_B="_dob",
        or_equal=True,
        ignore_row_if="either_value_is_missing",
    )
    add("age_over_120", gxe.ExpectColumnValuesToBeBetween, column="_age_years", max_value=120)
    add("ethnic_category_invalid", gxe.ExpectColumnValuesToNotBeNull, column="ethnic_category")
    add(
        "ethnic_category_invalid",
        gxe.ExpectColumnValuesToBeInSet,
        column="ethnic_category",
        value_set=sorted(ETHNIC_CATEGORIES),
    )
    add("ward_code_missing", gxe.ExpectColumnValuesToNotBeNull, column="ward_code")
    add(
        "gender_unrecognised",
        gxe.ExpectColumnValuesToBeInSet,
        column="gender",
        value_set=sorted(STATED_GENDER),
    )
    add(
        "gender_identity_unrecognised",
        gxe.ExpectColumnValuesToBeInSet,
        column="gender_identity",
        value_set=sorted(GENDER_IDENTITY),
    )
    add("lsoa_malformed", gxe.ExpectColumnValuesToMatchRegex, column="lsoa", regex=LSOA_PATTERN)
    add(
        "ethnicity_not_stated_high",
        gxe.ExpectColumnValuesToNotBeInSet,
        column="ethnic_category",
        value_set=sorted(ETHNICITY_NOT_STATED_OR_KNOWN),
        mostly={"$PARAMETER": MOSTLY_PARAMETERS["ethnicity_not_stated_high"]},
    )


def _key_checks(gxe: Any, add: Add, keys: tuple[str, ...]) -> None:
    """A key column holding an identifier-like value (withheld at read) quarantines the row."""
    for key in keys:
        add(
            "identifier_in_key_column",
            gxe.ExpectColumnValuesToNotBeInSet,
            column=key,
            value_set=[MARKER],
        )


def _intervention_checks(gxe: Any, add: Add, column: Any) -> None:
    add("incident_id_missing", gxe.ExpectColumnValuesToNotBeNull, column="incident_id")
    add("intervention_id_missing", gxe.ExpectColumnValuesToNotBeNull, column="intervention_id")
    add(
        "duplicate_intervention",
        gxe.ExpectColumnValuesToBeInSet,
        column="_is_repeat",
        value_set=[False],
    )
    add("intervention_type_invalid", gxe.ExpectColumnValuesToNotBeNull, column="intervention_type")
    add(
        "intervention_type_invalid",
        gxe.ExpectColumnValuesToBeInSet,
        column="intervention_type",
        value_set=sorted(INTERVENTION_TYPES),
    )
    add("start_missing_or_invalid", gxe.ExpectColumnValuesToNotBeNull, column="_start_at")
    add(
        "end_invalid", gxe.ExpectColumnValuesToBeInSet, column="_end_unparseable", value_set=[False]
    )
    add(
        "end_before_start",
        gxe.ExpectColumnPairValuesAToBeGreaterThanB,
        column_A="_end_at",
        column_B="_start_at",
        or_equal=True,
        ignore_row_if="either_value_is_missing",
    )
    # A row without a usable start is already quarantined; do not also call it out of month.
    add(
        "outside_reporting_month",
        gxe.ExpectColumnValuesToBeInSet,
        column="_in_month",
        value_set=[True],
        row_condition=column("_start_at").is_not_null(),
    )
    add(
        "reason_unrecognised",
        gxe.ExpectColumnValuesToBeInSet,
        column="reason",
        value_set=sorted(INTERVENTION_REASONS),
    )
    for flag in RI_FLAGS:
        add(
            "flag_unrecognised",
            gxe.ExpectColumnValuesToBeInSet,
            column=flag,
            value_set=sorted(YES_NO),
        )
    add(
        "start_before_1900",
        gxe.ExpectColumnValuesToBeBetween,
        column="_event_date",
        min_value=EARLIEST_START,
    )
    add(
        "end_after_arrival",
        gxe.ExpectColumnValuesToBeBetween,
        column="_end_at",
        max_value={"$PARAMETER": LATEST_END_PARAMETER},
        strict_max=True,
    )
    bounds = [("duration_implausible", "quarantine", f) for f in FAMILIES]
    bounds += [("restraint_over_24_hours", "warn", f) for f in WARNED_FAMILIES]
    for rule, bound, family in bounds:  # one duration bound per rule and family
        codes = sorted(c for c, f in INTERVENTION_FAMILY.items() if f == family)
        add(
            rule,
            gxe.ExpectColumnValuesToBeBetween,
            column="_duration_minutes",
            max_value={"$PARAMETER": f"{bound}_minutes_{family}"},
            row_condition=column("intervention_type").is_in(codes),
        )


def plausibility_parameters(bounds: Plausibility, arrived: date) -> dict[str, Any]:
    """The run-time values of the plausibility parameters: minutes per family (no bound is an
    infinite one) and the end of the day the file arrived, as naive UTC like `_end_at`."""
    midnight = datetime.combine(arrived + timedelta(days=1), time(), tzinfo=ZoneInfo(LONDON))
    end_of_day = midnight.astimezone(UTC).replace(tzinfo=None)
    out: dict[str, Any] = {LATEST_END_PARAMETER: end_of_day.isoformat()}
    quarantine = {str(k): v for k, v in bounds.quarantine_after_hours.items()}
    warn = {str(k): v for k, v in bounds.warn_after_hours.items()}
    for family in FAMILIES:
        out[f"quarantine_minutes_{family}"] = quarantine.get(family, math.inf) * 60
    for family in WARNED_FAMILIES:
        out[f"warn_minutes_{family}"] = warn.get(family, math.inf) * 60
    return out


def _stay_checks(gxe: Any, add: Add, column: Any) -> None:
    """Ward-stay checks.

    The derived frame carries no reporting-month column, but for a stay `_event_date` is
    max(stay_start, month start). So among stays outside the month, one whose `_event_date`
    equals its start began after the month ended; one whose `_event_date` is later than its
    start (the month start) ended before the month began.
    """
    add("ward_stay_id_missing", gxe.ExpectColumnValuesToNotBeNull, column="ward_stay_id")
    add(
        "duplicate_ward_stay",
        gxe.ExpectColumnValuesToBeInSet,
        column="_is_repeat",
        value_set=[False],
    )
    add("stay_start_missing_or_invalid", gxe.ExpectColumnValuesToNotBeNull, column="_stay_start")
    add(
        "stay_end_invalid",
        gxe.ExpectColumnValuesToBeInSet,
        column="_stay_end_unparseable",
        value_set=[False],
    )
    add(
        "stay_end_before_stay_start",
        gxe.ExpectColumnPairValuesAToBeGreaterThanB,
        column_A="_stay_end",
        column_B="_stay_start",
        or_equal=True,
        ignore_row_if="either_value_is_missing",
    )
    outside = column("_in_month") == False  # noqa: E712 - builds a GX condition
    add(
        "stay_start_after_month_end",
        gxe.ExpectColumnPairValuesAToBeGreaterThanB,
        column_A="_event_date",
        column_B="_stay_start",
        or_equal=False,
        ignore_row_if="either_value_is_missing",
        row_condition=outside,
    )
    add(
        "stay_end_before_month_start",
        gxe.ExpectColumnPairValuesAToBeGreaterThanB,
        column_A="_stay_start",
        column_B="_event_date",
        or_equal=True,
        ignore_row_if="either_value_is_missing",
        row_condition=outside,
    )
    add(
        "flag_unrecognised",
        gxe.ExpectColumnValuesToBeInSet,
        column="lda_flag",
        value_set=sorted(YES_NO),
    )


def build_suite(dataset: Dataset) -> gx.ExpectationSuite:
    """The row-level suite for `dataset`: dataset checks first, then the shared person checks."""
    import great_expectations as gx
    import great_expectations.expectations as gxe
    from great_expectations.expectations.row_conditions import Column

    expectations: list[Any] = []

    def add(rule: str, expectation_type: Any, **kwargs: Any) -> None:
        severity = _SEVERITY[RULES[rule].severity]
        expectations.append(expectation_type(**kwargs, meta={"rule": rule}, severity=severity))

    if dataset == "restrictive_interventions":
        _key_checks(gxe, add, ("incident_id", "intervention_id", "ward_code"))
        _intervention_checks(gxe, add, Column)
    else:
        _key_checks(gxe, add, ("ward_stay_id", "ward_code"))
        _stay_checks(gxe, add, Column)
    add(
        "excel_error_cell",
        gxe.ExpectColumnValuesToBeInSet,
        column="_excel_error",
        value_set=[False],
    )
    _person_checks(gxe, add)
    return gx.ExpectationSuite(name=suite_name(dataset), expectations=expectations)


def suite_json(dataset: Dataset) -> str:
    """The suite as stable, reviewable JSON (GX-assigned ids removed, keys sorted)."""
    data: dict[str, Any] = dict(build_suite(dataset).to_json_dict())
    data.pop("id", None)
    for expectation in data["expectations"]:
        expectation.pop("id", None)
    return json.dumps(data, indent=2, sort_keys=True, default=str) + "\n"


def export_suites(folder: Path = SUITES_FOLDER) -> list[Path]:
    """Write `<folder>/<dataset>.json` for every dataset; returns the paths written."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for dataset in DATASETS:
        path = folder / f"{dataset}.json"
        path.write_text(suite_json(dataset), encoding="utf-8")
        paths.append(path)
    return paths


if __name__ == "__main__":
    for written in export_suites():
        print(written)
