"""Typed models for `config/trusts/<ODS>.yaml` and the shared code maps in `config/codes/`.

Library vs declarations: everything that differs between trusts is YAML parsed into these
models; an unknown key, a missing field or a bad value fails with the file, the key and what was
expected (`ConfigError`), with a "did you mean" suggestion for misspelt keys.
"""

from __future__ import annotations

import difflib
import re
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from transforms.canonical import DATASETS, Dataset, field_names

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


class FilePatterns(_Strict):
    """Glob patterns (matched case-insensitively against file names in a month folder)."""

    restrictive_interventions: str = "*intervention*"
    ward_stays: str = "*stay*"

    def for_dataset(self, dataset: Dataset) -> str:
        return str(getattr(self, dataset))


class SpcSettings(_Strict):
    """Per-trust Making Data Count settings (used by mart_spc)."""

    baseline_months: Annotated[int, Field(ge=1, le=60)] | None = None
    recalculate_from: list[str] = []  # YYYY-MM months that start a new limits partition
    target_reduction: Annotated[float, Field(ge=0, le=1)] = 0.25


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
    spc: SpcSettings = SpcSettings()

    @field_validator("ods_code")
    @classmethod
    def _ods(cls, v: str) -> str:
        if not ODS_CODE.fullmatch(v):
            raise ValueError("an ODS code is 3 to 5 upper-case letters or digits, e.g. RX2")
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
                        f"{_suggest(canonical, known)}; expected one of {', '.join(known)}"
                    )
        return v

    @field_validator("values")
    @classmethod
    def _values(cls, v: dict[str, dict[str, str]]) -> dict[str, dict[str, str]]:
        for name in v:
            if name not in CODED_FIELDS:
                raise ValueError(
                    f"values.{name}: not a coded field{_suggest(name, CODED_FIELDS)};"
                    f" expected one of {', '.join(CODED_FIELDS)}"
                )
        return v

    @model_validator(mode="after")
    def _xlsx_only(self) -> TrustConfig:
        if self.format != "xlsx" and (self.sheet is not None or self.header_row != 1):
            raise ValueError("sheet and header_row apply to format: xlsx only")
        return self

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

    def trust(self, ods_code: str) -> TrustConfig:
        return self.trusts[ods_code]


def _suggest(word: str, choices: Any) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1)
    return f" (did you mean '{close[0]}'?)" if close else ""


def _describe(exc: ValidationError, path: Path) -> str:
    lines = []
    for err in exc.errors():
        key = ".".join(str(p) for p in err["loc"]) or "(top level)"
        if err["type"] == "extra_forbidden":
            known = TrustConfig.model_fields.keys() if len(err["loc"]) == 1 else []
            lines.append(f"{path}: unknown key '{key}'{_suggest(str(err['loc'][-1]), known)}")
        elif err["type"] == "missing":
            lines.append(f"{path}: missing required key '{key}'")
        else:
            lines.append(f"{path}: key '{key}': {err['msg']} (got {err.get('input')!r})")
    return "\n".join(lines)


def parse_trust(data: Any, path: Path) -> TrustConfig:
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected a mapping of keys, got {type(data).__name__}")
    try:
        trust = TrustConfig.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(_describe(exc, path)) from None
    if path.stem != trust.ods_code:
        raise ConfigError(f"{path}: file name must be the ODS code '{trust.ods_code}.yaml'")
    return trust


def _read_yaml(path: Path) -> Any:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML: {exc}") from None


def load_trust(path: Path) -> TrustConfig:
    return parse_trust(_read_yaml(path), path)


def load_code_maps(folder: Path) -> CodeMaps:
    maps: dict[str, dict[str, str]] = {}
    for path in sorted(folder.glob("*.yaml")):
        data = _read_yaml(path)
        if not isinstance(data, dict) or not all(isinstance(v, dict) for v in data.values()):
            raise ConfigError(f"{path}: expected 'field: {{local label: national code}}' maps")
        for field, mapping in data.items():
            if field not in CODED_FIELDS:
                raise ConfigError(
                    f"{path}: key '{field}' is not a coded field{_suggest(field, CODED_FIELDS)}"
                )
            odd = [k for k in mapping if not isinstance(k, str | int) or isinstance(k, bool)]
            if odd:  # YAML reads unquoted Yes/No/True/False as booleans: quote them
                raise ConfigError(f"{path}: {field}: key {odd[0]!r} is not text; quote it")
            maps.setdefault(field, {}).update({str(k): str(v) for k, v in mapping.items()})
    return CodeMaps(maps=maps)


def load_registry(config_dir: Path) -> Registry:
    """Load every `trusts/*.yaml` and `codes/*.yaml` under `config_dir`; fail on the first error."""
    trust_dir = config_dir / "trusts"
    if not trust_dir.is_dir():
        raise ConfigError(f"{trust_dir}: no trust configuration folder")
    trusts = {}
    for path in sorted(trust_dir.glob("*.yaml")):
        trust = load_trust(path)
        trusts[trust.ods_code] = trust
    return Registry(trusts=trusts, codes=load_code_maps(config_dir / "codes"))


__all__ = [
    "DATASETS",
    "CodeMaps",
    "ConfigError",
    "Registry",
    "TrustConfig",
    "load_code_maps",
    "load_registry",
    "load_trust",
    "parse_trust",
]
