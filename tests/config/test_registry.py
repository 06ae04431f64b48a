"""The sample registry (config/trusts, config/codes) loads and says what the trusts send."""

from __future__ import annotations

from pathlib import Path

import pytest

from mhsip.config_loader import load_registry
from transforms import codes
from transforms.trust_config import Registry

CONFIG = Path(__file__).resolve().parents[2] / "config"
SIXTEEN = {
    "Y58": {"RJ8", "NQL", "RWV", "RH5", "RVN", "RTQ", "RDY"},
    "Y59": {"RW1", "R1C", "R1F", "RNU", "RWX", "RX2", "RXX", "RXY", "ZZ1"},
}
NATIONAL = {
    "intervention_type": set(codes.INTERVENTION_TYPES),
    "ethnic_category": set(codes.ETHNIC_CATEGORIES),
    "gender": set(codes.STATED_GENDER),
    "gender_identity": set(codes.GENDER_IDENTITY),
    "ward_type": set(codes.WARD_TYPES),
    "ward_security_level": set(codes.WARD_SECURITY_LEVELS),
    "reason": set(codes.INTERVENTION_REASONS),
    **{
        f: set(codes.YES_NO)
        for f in (
            "injury_patient",
            "injury_staff",
            "injury_other",
            "post_incident_review_patient",
            "lda_flag",
        )
    },
}


@pytest.fixture(scope="module")
def registry() -> Registry:
    return load_registry(CONFIG)


def test_sixteen_trusts_in_their_regions(registry: Registry) -> None:
    by_region: dict[str, set[str]] = {}
    for code, trust in registry.trusts.items():
        by_region.setdefault(trust.region, set()).add(code)
    assert by_region == SIXTEEN


def test_unconfirmed_codes_and_the_independent_provider(registry: Registry) -> None:
    unconfirmed = {c for c, t in registry.trusts.items() if not t.code_confirmed}
    assert unconfirmed == {"NQL", "ZZ1"}
    independent = {c for c, t in registry.trusts.items() if t.provider_type == "independent"}
    assert independent == {"ZZ1"}
    assert registry.trust("RX2").name == "Sussex Partnership NHS Foundation Trust"


def test_dialects_are_varied(registry: Registry) -> None:
    trusts = registry.trusts.values()
    csv = [t for t in trusts if t.format == "csv"]
    assert {t.encoding for t in csv} == {"utf-8", "utf-8-sig", "cp1252"}
    assert {t.delimiter for t in csv} == {",", ";", "|", "\t"}
    assert (registry.trust("RWV").header_row, registry.trust("RWV").sheet) == (3, "Extract")
    assert {t.ods_code for t in trusts if t.format == "parquet"} == {"RH5", "RNU"}
    assert {t.datetime_formats[0] for t in trusts} >= {"%Y-%m-%d %H:%M:%S", "%d/%m/%Y %H:%M"}
    patterns = [t.files.restrictive_interventions for t in trusts]
    assert len(set(patterns)) == 16


def test_trust_value_maps_point_at_national_codes(registry: Registry) -> None:
    for trust in registry.trusts.values():
        for field, mapping in trust.values.items():
            assert set(mapping.values()) <= NATIONAL[field], (trust.ods_code, field)
    assert registry.trust("NQL").values["intervention_type"]["Prone restraint"] == "01"
    assert registry.trust("RVN").values["ethnic_category"]["Black African"] == "N"


def test_shared_synonyms_point_at_national_codes_without_case_clashes(registry: Registry) -> None:
    for field, mapping in registry.codes.maps.items():
        assert set(mapping.values()) <= NATIONAL[field], field
        folded: dict[str, str] = {}
        for label, code in mapping.items():
            assert folded.setdefault(label.strip().lower(), code) == code, (field, label)
    assert registry.codes.lookup("lda_flag")["Yes"] == "Y"  # quoted: not a YAML boolean
    assert registry.codes.lookup("ethnic_category")["Not stated"] == "Z"
    assert registry.codes.lookup("intervention_type")["Seclusion"] == "05"
    assert "02" not in registry.codes.lookup("intervention_type").values()


def test_intervention_type_synonyms_name_only_restrictive_interventions(registry: Registry) -> None:
    """Issue 12: labels that can name ordinary care (PRN medication, an escort, a depot
    injection) are not mapped to a restrictive intervention; every national label is."""
    shared = {k.lower(): v for k, v in registry.codes.lookup("intervention_type").items()}
    for ordinary in ("oral prn", "oral medication", "escort", "im injection (non-rt)"):
        assert ordinary not in shared, ordinary
    for code, label in codes.INTERVENTION_TYPES.items():
        assert shared[label.lower()] == code
    assert shared["restrictive escort"] == "08"


def test_collaborative_settings_and_trust_targets_load(registry: Registry) -> None:
    spc = registry.collaborative.spc
    assert spc.rule_profile == "nhse_sql_v2_6"
    assert spc.target is not None and not isinstance(spc.target, float)
    assert spc.target.baseline == "2024-01..2024-12"
    for trust in registry.trusts.values():  # every trust's target is fixed from a baseline
        target = trust.spc.over(spc).target
        assert target is not None and not isinstance(target, float), trust.ods_code


def test_the_fast_yaml_loader_reads_every_shipped_file_as_safe_load_does() -> None:
    """The registry parses with libyaml (`SAFE_LOADER`); the documents are safe_load's."""
    import yaml

    from mhsip.config_loader import SAFE_LOADER

    files = sorted(CONFIG.rglob("*.yaml"))
    assert len(files) > 20 and SAFE_LOADER is yaml.CSafeLoader
    for path in files:
        text = path.read_text(encoding="utf-8")
        assert yaml.load(text, Loader=SAFE_LOADER) == yaml.safe_load(text), path


def test_duration_bounds_load_from_the_collaborative_file(registry: Registry) -> None:
    bounds = registry.collaborative.plausibility
    assert bounds.warn_after_hours == {"physical": 24, "chemical": 24}
    assert bounds.quarantine_after_hours["physical"] == 7 * 24
    assert bounds.quarantine_after_hours["seclusion"] == 366 * 24


def test_a_bad_duration_bound_fails_naming_the_file_and_key(tmp_path: Path) -> None:
    from mhsip.config_loader import load_collaborative
    from transforms.trust_config import ConfigError

    path = tmp_path / "collaborative.yaml"
    path.write_text("plausibility:\n  quarantine_after_hours: {seclusion: -1}\n")
    with pytest.raises(ConfigError, match=r"collaborative\.yaml") as caught:
        load_collaborative(path)
    assert "seclusion" in str(caught.value)
