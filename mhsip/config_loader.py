"""Read the collaborative's configuration folder (`config/`) into the typed models of
`transforms.trust_config`: every `trusts/<ODS>.yaml`, the shared `codes/*.yaml` maps and
`collaborative.yaml` (the collaborative's own settings, e.g. its SPC rule profile).

A file that fails validation raises `ConfigError` naming the file, the key and what was expected,
with a "did you mean" suggestion for a misspelt key.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, get_args

import yaml
from pydantic import BaseModel, ValidationError

from landing.collect.sources import SOURCE_TYPES, Sources
from transforms.trust_config import (
    CODED_FIELDS,
    CodeMaps,
    CollaborativeConfig,
    ConfigError,
    Registry,
    TrustConfig,
    did_you_mean,
)


def _known_keys(model: type[BaseModel], loc: tuple[Any, ...]) -> list[str]:
    """The keys allowed where `loc` points, for a "did you mean" suggestion."""
    for part in loc[:-1]:
        field = model.model_fields.get(str(part))
        if field is None:
            return []
        choices = [field.annotation, *get_args(field.annotation)]
        nested = [c for c in choices if isinstance(c, type) and issubclass(c, BaseModel)]
        if not nested:
            return []
        model = nested[0]
    return list(model.model_fields)


def _describe(exc: ValidationError, path: Path, model: type[BaseModel] = TrustConfig) -> str:
    lines = []
    for err in exc.errors():
        key = ".".join(str(p) for p in err["loc"]) or "(top level)"
        if err["type"] == "extra_forbidden":
            known = _known_keys(model, tuple(err["loc"]))
            lines.append(f"{path}: unknown key '{key}'{did_you_mean(str(err['loc'][-1]), known)}")
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


# libyaml's parser with the safe constructor: the same documents as `yaml.safe_load`, about ten
# times faster (the registry's 90 files took ~1 s to parse in pure Python, on every command).
SAFE_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _read_yaml(path: Path) -> Any:
    try:
        return yaml.load(path.read_text(encoding="utf-8"), Loader=SAFE_LOADER)  # noqa: S506 - safe
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
                    f"{path}: key '{field}' is not a coded field{did_you_mean(field, CODED_FIELDS)}"
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
    return Registry(
        trusts=trusts,
        codes=load_code_maps(config_dir / "codes"),
        collaborative=load_collaborative(config_dir / "collaborative.yaml"),
    )


def load_sources(path: Path, registry: Registry | None = None) -> Sources:
    """Read `config/sources.yaml` (design.md §3.3); a missing file means no sources: the
    landing zone is filled by something else. With `registry`, each trust's MESH sender
    mailbox must be unique."""
    if not path.exists():
        return Sources()
    data = _read_yaml(path) or {}
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected a mapping of keys, got {type(data).__name__}")
    for name, spec in (data.get("sources") or {}).items():
        kind = spec.get("type") if isinstance(spec, dict) else None
        if kind not in SOURCE_TYPES:
            raise ConfigError(
                f"{path}: key 'sources.{name}.type': expected one of {', '.join(SOURCE_TYPES)}"
                f"{did_you_mean(str(kind), SOURCE_TYPES)} (got {kind!r})"
            )
        try:
            SOURCE_TYPES[kind].model_validate(spec)
        except ValidationError as exc:
            message = _describe(exc, path, SOURCE_TYPES[kind])
            raise ConfigError(message.replace("key '", f"key 'sources.{name}.")) from None
    try:
        sources = Sources.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(_describe(exc, path, Sources)) from None
    if registry is not None:
        _check_senders(registry, path)
    return sources


def _check_senders(registry: Registry, path: Path) -> None:
    seen: dict[str, str] = {}
    for code, trust in registry.trusts.items():
        mailbox = trust.delivery.mesh_mailbox
        if mailbox and mailbox.upper() in seen:
            raise ConfigError(
                f"{path}: MESH sender mailbox {mailbox} is given for both {seen[mailbox.upper()]} "
                f"and {code} (delivery.mesh_mailbox)"
            )
        if mailbox:
            seen[mailbox.upper()] = code


def load_collaborative(path: Path) -> CollaborativeConfig:
    """config/collaborative.yaml, or the defaults when there is none."""
    if not path.exists():
        return CollaborativeConfig()
    try:
        return CollaborativeConfig.model_validate(_read_yaml(path) or {})
    except ValidationError as exc:
        raise ConfigError(_describe(exc, path)) from None


__all__ = [
    "ConfigError",
    "load_code_maps",
    "load_collaborative",
    "load_registry",
    "load_sources",
    "load_trust",
    "parse_trust",
]
