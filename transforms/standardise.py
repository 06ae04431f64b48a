"""Turn validated, derived rows into fact rows with national codes and derived equity fields.

`standardise_interventions`: one row per (trust, incident, intervention) in the month ->
`fct_restrictive_intervention`. `standardise_ward_stays`: one row per ward stay in the month ->
`fct_ward_stay_month`. Both without `submission_id`, which the loader adds. `standardise_many`
does several files of one trust (each with its own month) in one pass, as a chunk of months is
processed: pandas costs about the same per call for ten rows as for ten thousand.

Age: one basis for numerator and denominator, completed years on the reporting month's last day
(NHS Digital's `AgeRepPeriodEnd`), for interventions and ward stays alike, so a person's
interventions and bed days in a month fall in the same age band and each band's rate divides
like by like (an intervention used to take its age at its start: 112 of 24,340 patient-months of
the demo fell in one band for interventions and another for bed days). A date of birth after the
event or more than 120 years before it gives age Unknown (the row loads with a warning; see
`usable_age`).

Column types are what the warehouse stores: text as `str`, dates as Arrow `date32`, instants
as `datetime64[us, UTC]`, nullable booleans and integers as pandas `boolean` and `Int64`.
Everything is vectorised: a backfill is about a million rows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Final

import numpy as np
import pandas as pd
import pyarrow as pa

from transforms import codes
from transforms.bed_days import occupied_bed_days_per_row
from transforms.canonical import Dataset
from transforms.derive import age_in_years, month_bounds_per_row, split_files, stack_files
from transforms.mapping import BED_TYPES
from transforms.timezones import LONDON

DATE: Final = pd.ArrowDtype(pa.date32())
LSOA_PATTERN: Final = r"E01[0-9]{6}"
_IDENTITY_WINS: Final = ("1", "2", "3", "4")
_STATED_USED: Final = ("1", "2", "9")
_AGE_EDGES: Final = [lower for _, lower in codes.AGE_BANDS] + [np.inf]
MAX_AGE_YEARS: Final = 120  # the `age_over_120` rule


def _as_date(values: pd.Series) -> pd.Series:
    return values.astype("datetime64[us]").dt.date.astype(DATE)


def _national_or_na(values: pd.Series, national: Mapping[str, object]) -> pd.Series:
    return values.astype("str").where(values.isin(list(national)))


def _yes_no(values: pd.Series) -> pd.Series:
    """Y -> True, N -> False, anything else -> NA (NHS Digital's "Unknown")."""
    return values.map({"Y": True, "N": False}).astype("boolean")


def age_band(age_years: pd.Series) -> pd.Series:
    """NHS Digital RI age band (domain.md §2.4); "Unknown" when the age is missing or negative."""
    labels = [label for label, _ in codes.AGE_BANDS]
    banded = pd.cut(age_years.astype("float64"), bins=_AGE_EDGES, right=False, labels=labels)
    return banded.astype("str").fillna(codes.AGE_BAND_UNKNOWN).astype("str")


def usable_age(age: pd.Series, age_at_event: pd.Series) -> pd.Series:
    """`age`, or NA where the date of birth cannot be right: after the event (a negative age at
    it) or more than 120 years before it. Such rows load with age band Unknown and a warning
    (`date_of_birth_after_event`, `age_over_120`) instead of being quarantined."""
    at_event = age_at_event.astype("Int64")
    bad = (at_event < 0) | (at_event > MAX_AGE_YEARS)
    return age.astype("Int64").mask(bad.fillna(False).astype(bool))


def derived_gender(stated: pd.Series, identity: pd.Series) -> pd.Series:
    """Der_Gender (domain.md §2.3): identity 1-4 wins, else stated 1/2/9, else X (not known)."""
    gender = pd.Series("X", index=stated.index, dtype="str")
    gender = gender.mask(stated.isin(_STATED_USED), stated)
    return gender.mask(identity.isin(_IDENTITY_WINS), identity).astype("str")


def _person(valid: pd.DataFrame, imd: Mapping[str, int] | None) -> pd.DataFrame:
    """Equity fields shared by both facts: ethnicity, gender, LSOA, IMD decile, LDA flag."""
    ethnic = _national_or_na(valid["ethnic_category"], codes.ETHNIC_CATEGORIES)
    groups = {code: group for code, (_, group) in codes.ETHNIC_CATEGORIES.items()}
    lsoa = valid["lsoa"].astype("str").str.strip().str.upper()
    lsoa = lsoa.where(lsoa.str.fullmatch(LSOA_PATTERN, na=False))
    decile = lsoa.map(dict(imd)) if imd else pd.Series(pd.NA, index=valid.index)
    return pd.DataFrame(
        {
            "ethnic_category_code": ethnic,
            "ethnic_group": ethnic.map(groups).astype("str"),
            "gender_code": derived_gender(valid["gender"], valid["gender_identity"]),
            "lsoa": lsoa.astype("str"),
            "imd_decile": decile.astype("Int64"),
            "lda_flag": _yes_no(valid["lda_flag"]),
        },
        index=valid.index,
    )


def _ward(valid: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "ward_code": valid["ward_code"].astype("str"),
            "ward_type_code": _national_or_na(valid["ward_type"], codes.WARD_TYPES),
            "ward_security_level": _national_or_na(
                valid["ward_security_level"], codes.WARD_SECURITY_LEVELS
            ),
            "bed_type_code": _national_or_na(valid["bed_type"], dict.fromkeys(BED_TYPES)),
        },
        index=valid.index,
    )


def _frame_header(valid: pd.DataFrame, trust_code: str, month_start: pd.Series) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "trust_code": pd.Series(trust_code, index=valid.index, dtype="str"),
            "reporting_month": _as_date(month_start),
        },
        index=valid.index,
    )


def standardise_interventions(
    valid: pd.DataFrame,
    trust_code: str,
    reporting_month: dt.date,
    imd: Mapping[str, int] | None = None,
) -> pd.DataFrame:
    """Fact rows of `fct_restrictive_intervention` (without `submission_id`) from derived rows."""
    return standardise_many(
        [valid], "restrictive_interventions", trust_code, [reporting_month], imd
    )[0]


def standardise_ward_stays(
    valid: pd.DataFrame,
    trust_code: str,
    reporting_month: dt.date,
    imd: Mapping[str, int] | None = None,
) -> pd.DataFrame:
    """Fact rows of `fct_ward_stay_month` (without `submission_id`) from derived rows."""
    return standardise_many([valid], "ward_stays", trust_code, [reporting_month], imd)[0]


def standardise_many(
    valid: Sequence[pd.DataFrame],
    dataset: Dataset,
    trust_code: str,
    months: Sequence[dt.date],
    imd: Mapping[str, int] | None = None,
) -> list[pd.DataFrame]:
    """Fact rows of each of one trust's files (each with its own reporting month), computed in
    one pass over all of them: the same frames as standardising each file alone."""
    if len(valid) != len(months):
        raise ValueError(f"{len(valid)} files but {len(months)} reporting months")
    if not valid:
        return []
    combined, offsets = stack_files(valid)
    month_start, next_month = month_bounds_per_row(months, offsets)
    if dataset == "restrictive_interventions":
        facts = _interventions(combined, trust_code, month_start, next_month, imd)
    else:
        facts = _ward_stays(combined, trust_code, month_start, next_month, imd)
    return split_files(facts, offsets)


def _interventions(
    valid: pd.DataFrame,
    trust_code: str,
    month_start: pd.Series,
    next_month: pd.Series,
    imd: Mapping[str, int] | None,
) -> pd.DataFrame:
    code = valid["intervention_type"].astype("str")
    end_local = valid["_end_at"].dt.tz_convert(LONDON).dt.tz_localize(None)
    month_end = (next_month - pd.Timedelta(days=1)).astype("datetime64[us]")
    age = usable_age(age_in_years(valid["_dob"], month_end), valid["_age_years"])
    facts = pd.concat(
        [
            _frame_header(valid, trust_code, month_start),
            valid[["incident_id", "intervention_id", "patient_key"]].astype("str"),
            _ward(valid),
            pd.DataFrame(
                {
                    "intervention_type_code": code,
                    "intervention_type_label": code.map(codes.INTERVENTION_TYPES).astype("str"),
                    "intervention_family": code.map(codes.INTERVENTION_FAMILY).astype("str"),
                    "is_prone": code.eq(codes.PRONE_CODE).astype(bool),
                    "is_rapid_tranquillisation": code.eq(codes.RAPID_TRANQUILLISATION_CODE).astype(
                        bool
                    ),
                    "start_at": valid["_start_at"],
                    "end_at": valid["_end_at"],
                    "start_date_local": _as_date(valid["_event_date"]),
                    "is_open_at_month_end": (
                        valid["_end_at"].isna() | (end_local >= next_month)
                    ).astype(bool),
                    "duration_minutes": valid["_duration_minutes"].astype("Float64"),
                    "reason_code": _national_or_na(valid["reason"], codes.INTERVENTION_REASONS),
                    **{
                        name: _yes_no(valid[name])
                        for name in (
                            "injury_patient",
                            "injury_staff",
                            "injury_other",
                            "post_incident_review_patient",
                        )
                    },
                },
                index=valid.index,
            ),
            _person(valid, imd),
            pd.DataFrame({"age_years": age, "age_band": age_band(age)}, index=valid.index),
        ],
        axis=1,
    )
    facts["source_row_number"] = valid["source_row_number"].astype("int64")
    return facts[INTERVENTION_COLUMNS].reset_index(drop=True)


def _ward_stays(
    valid: pd.DataFrame,
    trust_code: str,
    month_start: pd.Series,
    next_month: pd.Series,
    imd: Mapping[str, int] | None,
) -> pd.DataFrame:
    month_end = next_month - pd.Timedelta(days=1)
    age = usable_age(
        age_in_years(valid["_dob"], month_end.astype("datetime64[us]")), valid["_age_years"]
    )
    start, end = valid["_stay_start"], valid["_stay_end"]
    facts = pd.concat(
        [
            _frame_header(valid, trust_code, month_start),
            valid[["ward_stay_id", "patient_key"]].astype("str"),
            _ward(valid),
            pd.DataFrame(
                {
                    "stay_start": _as_date(start),
                    "stay_end": _as_date(end),
                    "is_open_at_month_end": (end.isna() | (end >= next_month)).astype(bool),
                    "occupied_bed_days": occupied_bed_days_per_row(
                        start, end, month_start, next_month
                    ),
                },
                index=valid.index,
            ),
            _person(valid, imd),
            pd.DataFrame({"age_years": age, "age_band": age_band(age)}, index=valid.index),
        ],
        axis=1,
    )
    facts["source_row_number"] = valid["source_row_number"].astype("int64")
    return facts[WARD_STAY_COLUMNS].reset_index(drop=True)


INTERVENTION_COLUMNS: Final = [
    "trust_code", "reporting_month", "incident_id", "intervention_id", "patient_key",
    "ward_code", "ward_type_code", "ward_security_level", "bed_type_code",
    "intervention_type_code", "intervention_type_label", "intervention_family", "is_prone",
    "is_rapid_tranquillisation", "start_at", "end_at", "start_date_local",
    "is_open_at_month_end", "duration_minutes", "reason_code", "injury_patient", "injury_staff",
    "injury_other", "post_incident_review_patient", "ethnic_category_code", "ethnic_group",
    "gender_code", "age_years", "age_band", "lsoa", "imd_decile", "lda_flag", "source_row_number",
]  # fmt: skip
WARD_STAY_COLUMNS: Final = [
    "trust_code", "reporting_month", "ward_stay_id", "patient_key", "ward_code",
    "ward_type_code", "ward_security_level", "bed_type_code", "stay_start", "stay_end",
    "is_open_at_month_end", "occupied_bed_days", "ethnic_category_code", "ethnic_group",
    "gender_code", "age_years", "age_band", "lsoa", "imd_decile", "lda_flag",
    "source_row_number",
]  # fmt: skip
