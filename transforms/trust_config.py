"""Typed models for `config/trusts/<ODS>.yaml` and the shared code maps in `config/codes/`.

Library vs declarations: everything that differs between trusts is YAML parsed into these
models (by `mhsip.config_loader`; no file is read here); an unknown key, a missing field or a
bad value fails with the file, the key and what was expected (`ConfigError`), with a "did you
mean" suggestion for misspelt keys.
"""

from __future__ import annotations

import difflib
import fnmatch
import re
from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

from transforms.canonical import Dataset, field_names

ODS_CODE = re.compile(r"^[A-Z0-9]{3,5}$")
CODED_FIELDS = (
    "intervention_type", "ethnic_category", "gender", "gender_identity", "ward_type",
    "ward_security_level", "bed_type", "reason", "injury_patient", "injury_staff",
    "injury_other", "post_incident_review_patient", "lda_flag",
)  # fmt: skip


class ConfigError(ValueError):
    """A trust or code-map file failed validation. The message names file, key and expectation."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# A date-time every format must write and read back (a format that cannot is a typo).
_SAMPLE = datetime(2024, 1, 31, 13, 45, 30)


def _check_glob(pattern: str) -> str:
    """A glob whose `[` sets are all closed (fnmatch reads an open `[` as a literal, so a typo
    silently matches nothing) and which compiles."""
    depth = 0
    for ch in pattern:
        if ch == "[":
            depth += 1
        elif ch == "]" and depth:
            depth -= 1
    if depth or not pattern.strip():
        raise ValueError(f"{pattern!r} is not a usable file pattern (an unclosed '[' or blank)")
    re.compile(fnmatch.translate(pattern))
    return pattern


def _check_date_format(fmt: str) -> str:
    """A strftime format that writes the sample and reads it back to the same date."""
    try:
        parsed = datetime.strptime(_SAMPLE.strftime(fmt), fmt)
    except ValueError as exc:
        raise ValueError(f"{fmt!r} is not a usable date format: {exc}") from None
    if parsed.date() != _SAMPLE.date():
        raise ValueError(f"{fmt!r} does not give a whole date (day, month and year)")
    return fmt


class FilePatterns(_Strict):
    """Glob patterns (matched case-insensitively against file names in a month folder)."""

    restrictive_interventions: str = "*intervention*"
    ward_stays: str = "*stay*"

    @field_validator("restrictive_interventions", "ward_stays")
    @classmethod
    def _glob(cls, v: str) -> str:
        return _check_glob(v)

    def for_dataset(self, dataset: Dataset) -> str:
        return str(getattr(self, dataset))


MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
RULE_PROFILES = ("nhse_sql_v2_6", "nhsrplotthedots")  # transforms.spc.PROFILES


class TargetFromBaseline(_Strict):
    """A target derived once from a fixed baseline period: (1 - reduce_by) x the measure's mean
    over the baseline months (e.g. `{reduce_by: 0.25, baseline: 2024-01..2024-12}`). Points
    after the baseline never move it."""

    reduce_by: Annotated[float, Field(ge=0, le=1)]
    baseline: str  # "YYYY-MM..YYYY-MM", both months included

    @field_validator("baseline")
    @classmethod
    def _period(cls, v: str) -> str:
        parts = v.split("..")
        if len(parts) != 2 or not all(MONTH.fullmatch(p) for p in parts) or parts[0] > parts[1]:
            raise ValueError("baseline is a period 'YYYY-MM..YYYY-MM' (first month first)")
        return v

    @property
    def months(self) -> tuple[str, str]:
        first, last = self.baseline.split("..")
        return first, last


class SpcSettings(_Strict):
    """Making Data Count settings (used by mart_spc), for the collaborative or one trust.

    `rule_profile` and `target` left unset (None) in a trust's YAML take the collaborative's
    (config/collaborative.yaml); the collaborative's own unset values take the defaults
    (NHS England SQL v2.6, no target). A numeric `target` applies to the headline rate
    (interventions per 1,000 OBD); a `TargetFromBaseline` to every measure.
    """

    rule_profile: Literal["nhse_sql_v2_6", "nhsrplotthedots"] | None = None
    baseline_months: Annotated[int, Field(ge=1, le=60)] | None = None
    recalculate_from: list[str] = []  # YYYY-MM months that start a new limits partition
    target: float | TargetFromBaseline | None = None

    @field_validator("recalculate_from")
    @classmethod
    def _months(cls, v: list[str]) -> list[str]:
        for month in v:
            if not MONTH.fullmatch(month):
                raise ValueError(f"recalculate_from: {month!r} is not a month 'YYYY-MM'")
        return v

    def over(self, collaborative: SpcSettings) -> SpcSettings:
        """These settings with unset inherited values taken from the collaborative's."""
        return self.model_copy(
            update={
                "rule_profile": self.rule_profile or collaborative.rule_profile,
                "target": self.target if self.target is not None else collaborative.target,
            }
        )


WHOLE_TRUST = "ALL"  # a change's ward when it is made across the trust


class Change(_Strict):
    """A dated change (a quality-improvement test of change) on a ward or the whole trust, e.g.
    `{from: 2025-03, ward: OAK, label: "Safewards launched", recalculate: true}` (domain.md
    §4.7): drawn on the charts, and with `recalculate` new SPC limits from its month."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    from_month: str = Field(alias="from")
    ward: Annotated[str, Field(min_length=1)] = WHOLE_TRUST
    label: Annotated[str, Field(min_length=1, max_length=60)]
    recalculate: bool = False

    @field_validator("from_month", mode="before")
    @classmethod
    def _month(cls, v: Any) -> str:
        text = v.strftime("%Y-%m") if isinstance(v, date) else str(v)
        if not MONTH.fullmatch(text):
            raise ValueError(f"{text!r} is not a month 'YYYY-MM'")
        if text > date.today().strftime("%Y-%m"):
            raise ValueError(f"{text} is after the current month: no data can exist for it")
        return text


def check_changes(changes: list[Change], wards: list[str]) -> list[Change]:
    """Each change names the whole trust or one of the trust's declared `wards`, once per
    (ward, month); the message names the key (`changes.<i>.ward`)."""
    seen: set[tuple[str, str]] = set()
    for i, change in enumerate(changes):
        if change.ward != WHOLE_TRUST and change.ward not in wards:
            known = ", ".join(wards) or "none declared: list them under 'wards'"
            raise ValueError(
                f"changes.{i}.ward: {change.ward!r} is not one of the trust's wards"
                f"{did_you_mean(change.ward, wards)} (wards: {known}; '{WHOLE_TRUST}' for the"
                " whole trust)"
            )
        key = (change.ward, change.from_month)
        if key in seen:
            raise ValueError(f"changes.{i}: a second change on {key[0]} from {key[1]}")
        seen.add(key)
    return changes


Family = Literal["physical", "chemical", "mechanical", "seclusion", "segregation"]
Hours = Annotated[float, Field(gt=0)]


class Plausibility(_Strict):
    """Duration bounds per intervention family (docs/design.md §8), the same for every trust
    (the row suites run many trusts' files together, so a bound is one value per run).

    Over `warn_after_hours` the row loads and the trust is told (`restraint_over_24_hours`);
    over `quarantine_after_hours` the duration cannot be right (a placeholder end such as
    9999-12-31) and the row is quarantined (`duration_implausible`). A family without a bound
    has none. Seclusion and segregation run for weeks or months, so their quarantine bound is
    only a backstop; the stay check (`intervention_longer_than_stay`, warehouse.marts.stay_bounds)
    judges them better, across both files of a trust-month.
    """

    warn_after_hours: dict[Family, Hours] = {"physical": 24, "chemical": 24}
    quarantine_after_hours: dict[Family, Hours] = {
        "physical": 7 * 24, "chemical": 7 * 24, "mechanical": 366 * 24,
        "seclusion": 366 * 24, "segregation": 366 * 24,
    }  # fmt: skip

    @model_validator(mode="after")
    def _warn_below_quarantine(self) -> Plausibility:
        for family, warn in self.warn_after_hours.items():
            limit = self.quarantine_after_hours.get(family)
            if limit is not None and warn >= limit:
                raise ValueError(
                    f"warn_after_hours.{family} ({warn:g}) must be under "
                    f"quarantine_after_hours.{family} ({limit:g})"
                )
        return self


class CollaborativeConfig(_Strict):
    """config/collaborative.yaml: settings of the whole collaborative (its `ALL` rows) and the
    defaults its trusts inherit."""

    name: str = "Restrictive practice collaborative"
    spc: SpcSettings = SpcSettings()
    plausibility: Plausibility = Plausibility()


class Delivery(_Strict):
    """How a trust's files arrive (config/sources.yaml names the channels)."""

    mesh_mailbox: str | None = None  # the trust's MESH sender mailbox id
    folder: str | None = None  # its folder on the SFTP, S3 or folder sources [its ODS code]


class TrustConfig(_Strict):
    ods_code: str
    name: str
    region: Literal["Y58", "Y59"]
    code_confirmed: bool = True
    provider_type: Literal["nhs", "independent"] = "nhs"
    format: Literal["csv", "xlsx", "parquet"]
    encoding: Literal["utf-8", "utf-8-sig", "cp1252"] = "utf-8"
    delimiter: Annotated[str, Field(min_length=1, max_length=1)] = ","
    sheet: str | None = None  # xlsx: sheet name; None = first sheet
    header_row: Annotated[int, Field(ge=1, le=50)] = 1  # 1-based row that holds the header
    date_formats: list[str] = ["%Y-%m-%d"]
    datetime_formats: list[str] = ["%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"]
    files: FilePatterns = FilePatterns()
    # canonical field -> the trust's column header, per dataset; unlisted fields keep their name
    columns: dict[Dataset, dict[str, str]] = {}
    # canonical field -> {trust's local value -> national code}; applied before shared synonyms
    values: dict[str, dict[str, str]] = {}
    accept_row_count_change: bool = False  # set while a trust's volumes legitimately jump
    ethnicity_unknown_warn_share: Annotated[float, Field(ge=0, le=1)] = 0.2
    # a regular expression for the trust's local patient ids (e.g. "RIO\\d{7}"): any cell of
    # any other column holding one is withheld at read time (transforms/screening.py)
    local_patient_id_pattern: str | None = None
    spc: SpcSettings = SpcSettings()
    delivery: Delivery = Delivery()
    # optional: receives this trust's rejected files and late submissions (flows/alerts.py)
    data_lead_email: str | None = None
    # the trust's ward codes as its files send them; a change names one of them (or ALL)
    wards: list[str] = []
    changes: list[Change] = []

    @field_validator("changes")
    @classmethod
    def _changes(cls, v: list[Change], info: ValidationInfo) -> list[Change]:
        return check_changes(v, list(info.data.get("wards", [])))

    @field_validator("ods_code")
    @classmethod
    def _ods(cls, v: str) -> str:
        if not ODS_CODE.fullmatch(v):
            raise ValueError("an ODS code is 3 to 5 upper-case letters or digits, e.g. RX2")
        return v

    @field_validator("date_formats", "datetime_formats")
    @classmethod
    def _formats(cls, v: list[str]) -> list[str]:
        return [_check_date_format(fmt) for fmt in v]

    @field_validator("local_patient_id_pattern")
    @classmethod
    def _local_id(cls, v: str | None) -> str | None:
        if v is None:
            return v
        try:
            pattern = re.compile(v)
        except re.error as exc:
            raise ValueError(f"not a valid regular expression: {exc}") from None
        if pattern.fullmatch(""):
            raise ValueError("the pattern matches an empty value; it must describe an id")
        return v

    @field_validator("columns")
    @classmethod
    def _columns(cls, v: dict[Dataset, dict[str, str]]) -> dict[Dataset, dict[str, str]]:
        for dataset, mapping in v.items():
            known = field_names(dataset)
            for canonical in mapping:
                if canonical not in known:
                    raise ValueError(
                        f"columns.{dataset}.{canonical}: not a canonical field"
                        f"{did_you_mean(canonical, known)}; expected one of {', '.join(known)}"
                    )
        return v

    @field_validator("values")
    @classmethod
    def _values(cls, v: dict[str, dict[str, str]]) -> dict[str, dict[str, str]]:
        for name in v:
            if name not in CODED_FIELDS:
                raise ValueError(
                    f"values.{name}: not a coded field{did_you_mean(name, CODED_FIELDS)};"
                    f" expected one of {', '.join(CODED_FIELDS)}"
                )
        return v

    @model_validator(mode="after")
    def _xlsx_only(self) -> TrustConfig:
        if self.format != "xlsx" and (self.sheet is not None or self.header_row != 1):
            raise ValueError("sheet and header_row apply to format: xlsx only")
        return self

    @property
    def delivery_folder(self) -> str:
        return self.delivery.folder or self.ods_code

    def header_for(self, dataset: Dataset, canonical: str) -> str:
        return self.columns.get(dataset, {}).get(canonical, canonical)


class CodeMaps(_Strict):
    """Shared synonym maps (config/codes/*.yaml): field -> {local label -> national code}.

    Keys are matched case-insensitively after trimming; a trust's own `values` win.
    """

    maps: dict[str, dict[str, str]]

    def lookup(self, field: str) -> dict[str, str]:
        return self.maps.get(field, {})


class Registry(_Strict):
    trusts: dict[str, TrustConfig]
    codes: CodeMaps
    collaborative: CollaborativeConfig = CollaborativeConfig()

    def trust(self, ods_code: str) -> TrustConfig:
        return self.trusts[ods_code]


def did_you_mean(word: str, choices: Any) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1)
    return f" (did you mean '{close[0]}'?)" if close else ""
