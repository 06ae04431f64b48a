"""The two canonical datasets every trust file is mapped to (design.md §3.4, §8).

A *mapped* frame (output of `transforms.mapping.map_to_canonical`) has exactly the columns of
`mapped_columns(dataset)`, all as pandas strings (missing = NA), already normalised:
codes mapped to national values where a map exists, dates as ``YYYY-MM-DD`` and date-times as
``YYYY-MM-DD HH:MM:SS`` (local Europe/London time) where the trust's format parsed, and the
original text where it did not (so validation can quote the offending value).

Patient identifiers never leave the read step: `nhs_number` and `local_patient_id` are replaced
there by `patient_key` (keyed HMAC) and `nhs_number_status`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal

Dataset = Literal["restrictive_interventions", "ward_stays"]
DATASETS: Final[tuple[Dataset, ...]] = ("restrictive_interventions", "ward_stays")
Kind = Literal["text", "code", "date", "datetime", "flag"]


@dataclass(frozen=True)
class Field:
    name: str
    kind: Kind
    required: bool
    identifier: bool = False  # direct patient identifier: never leaves the read step


_PERSON: Final[tuple[Field, ...]] = (
    Field("nhs_number", "text", False, identifier=True),
    Field("local_patient_id", "text", False, identifier=True),
    Field("date_of_birth", "date", True),
    Field("gender", "code", False),
    Field("gender_identity", "code", False),
    Field("ethnic_category", "code", True),
    Field("lsoa", "code", False),
)
_WARD: Final[tuple[Field, ...]] = (
    Field("ward_code", "text", True),
    Field("ward_type", "code", False),
    Field("ward_security_level", "code", False),
    Field("bed_type", "code", False),
)

FIELDS: Final[dict[Dataset, tuple[Field, ...]]] = {
    "restrictive_interventions": (
        Field("incident_id", "text", True),
        Field("intervention_id", "text", True),
        *_PERSON,
        *_WARD,
        Field("intervention_type", "code", True),
        Field("start", "datetime", True),
        Field("end", "datetime", False),
        Field("reason", "code", False),
        Field("injury_patient", "flag", False),
        Field("injury_staff", "flag", False),
        Field("injury_other", "flag", False),
        Field("post_incident_review_patient", "flag", False),
        Field("lda_flag", "flag", False),
    ),
    "ward_stays": (
        Field("ward_stay_id", "text", True),
        *_PERSON,
        *_WARD,
        Field("stay_start", "date", True),
        Field("stay_end", "date", False),
        Field("lda_flag", "flag", False),
    ),
}

# Columns the read step adds in place of the identifiers, and the source row number that
# every message to a trust quotes (1-based, as a spreadsheet shows it: header row included).
PATIENT_KEY: Final = "patient_key"
NHS_NUMBER_STATUS: Final = "nhs_number_status"  # "valid" | "invalid" | "absent"
SOURCE_ROW: Final = "source_row_number"
IDENTIFIER_COLUMNS: Final = ("nhs_number", "local_patient_id")


def field_names(dataset: Dataset) -> list[str]:
    return [f.name for f in FIELDS[dataset]]


def required_fields(dataset: Dataset) -> list[str]:
    """Columns that must be present after mapping, else the file is rejected.

    A patient identifier is required too, but either of the two satisfies it; see
    `IDENTIFIER_COLUMNS`.
    """
    return [f.name for f in FIELDS[dataset] if f.required]


def mapped_columns(dataset: Dataset) -> list[str]:
    """Columns of a mapped frame, in order."""
    kept = [f.name for f in FIELDS[dataset] if not f.identifier]
    return [SOURCE_ROW, PATIENT_KEY, NHS_NUMBER_STATUS, *kept]


def short_name(dataset: Dataset) -> str:
    return {"restrictive_interventions": "ri", "ward_stays": "ws"}[dataset]
