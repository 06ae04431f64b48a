"""A bad trust file fails on load with a message naming the file and the key."""

from __future__ import annotations

from pathlib import Path

import pytest

from mhsip.config_loader import load_code_maps, load_trust
from transforms.trust_config import ConfigError

GOOD = "ods_code: RJ8\nname: Cornwall Partnership NHS Foundation Trust\nregion: Y58\nformat: csv\n"


def _write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_good_minimal_file_loads(tmp_path: Path) -> None:
    assert load_trust(_write(tmp_path, "RJ8.yaml", GOOD)).delimiter == ","


def test_unknown_key_names_file_key_and_suggestion(tmp_path: Path) -> None:
    path = _write(tmp_path, "RJ8.yaml", GOOD + 'delimeter: ";"\n')
    with pytest.raises(ConfigError) as err:
        load_trust(path)
    assert str(err.value) == f"{path}: unknown key 'delimeter' (did you mean 'delimiter'?)"


def test_missing_key(tmp_path: Path) -> None:
    path = _write(tmp_path, "RJ8.yaml", GOOD.replace("region: Y58\n", ""))
    with pytest.raises(ConfigError) as err:
        load_trust(path)
    assert str(err.value) == f"{path}: missing required key 'region'"


def test_bad_enum_value(tmp_path: Path) -> None:
    path = _write(tmp_path, "RJ8.yaml", GOOD.replace("format: csv", "format: xls"))
    with pytest.raises(ConfigError) as err:
        load_trust(path)
    message = str(err.value)
    assert message.startswith(f"{path}: key 'format':") and "'xls'" in message


def test_wrong_file_name(tmp_path: Path) -> None:
    path = _write(tmp_path, "RJ9.yaml", GOOD)
    with pytest.raises(ConfigError) as err:
        load_trust(path)
    assert str(err.value) == f"{path}: file name must be the ODS code 'RJ8.yaml'"


def test_unknown_column_and_value_fields(tmp_path: Path) -> None:
    path = _write(tmp_path, "RJ8.yaml", GOOD + "columns:\n  ward_stays:\n    stay_strt: Admitted\n")
    with pytest.raises(ConfigError, match=r"stay_strt.*did you mean 'stay_start'"):
        load_trust(path)
    path = _write(tmp_path, "RJ8.yaml", GOOD + "values:\n  ethnicity:\n    White British: A\n")
    with pytest.raises(ConfigError, match=r"values\.ethnicity.*not a coded field"):
        load_trust(path)


def test_code_map_with_unknown_field(tmp_path: Path) -> None:
    _write(tmp_path, "bad.yaml", 'ethnic_categry:\n  "White British": "A"\n')
    with pytest.raises(ConfigError) as err:
        load_code_maps(tmp_path)
    assert "bad.yaml: key 'ethnic_categry'" in str(err.value)
    assert "did you mean 'ethnic_category'" in str(err.value)


CHANGES = "wards: [OAK, ELM]\nchanges:\n"


def test_changes_load_with_their_ward_month_and_label(tmp_path: Path) -> None:
    text = (
        GOOD + CHANGES + '  - {from: 2025-03, ward: OAK, label: "Safewards", recalculate: true}\n'
    )
    text += '  - {from: 2025-06, label: "Trust-wide huddle"}\n'
    trust = load_trust(_write(tmp_path, "RJ8.yaml", text))
    assert [(c.from_month, c.ward, c.label, c.recalculate) for c in trust.changes] == [
        ("2025-03", "OAK", "Safewards", True),
        ("2025-06", "ALL", "Trust-wide huddle", False),
    ]


@pytest.mark.parametrize(
    ("entry", "key", "says"),
    [
        ('{from: 2025-03, ward: OKA, label: "x"}', "changes", "changes.0.ward: 'OKA' is not one"
         " of the trust's wards (did you mean 'OAK'?)"),
        ('{from: 2025-13, ward: OAK, label: "x"}', "changes.0.from", "not a month"),
        ('{from: 2999-01, ward: OAK, label: "x"}', "changes.0.from", "after the current month"),
        ("{from: 2025-03, ward: OAK}", "changes.0.label", ""),
        ('{from: 2025-03, ward: OAK, label: "x", recalc: true}', "changes.0.recalc", ""),
    ],
)  # fmt: skip
def test_a_bad_change_names_file_and_key(tmp_path: Path, entry: str, key: str, says: str) -> None:
    path = _write(tmp_path, "RJ8.yaml", GOOD + CHANGES + f"  - {entry}\n")
    with pytest.raises(ConfigError) as err:
        load_trust(path)
    assert str(err.value).startswith(f"{path}: ")
    assert f"key '{key}'" in str(err.value)
    assert says in str(err.value)


def test_a_change_on_a_ward_needs_the_wards_declared(tmp_path: Path) -> None:
    path = _write(tmp_path, "RJ8.yaml", GOOD + "changes: [{from: 2025-03, ward: OAK, label: x}]\n")
    with pytest.raises(ConfigError, match=r"changes.0.ward.*none declared"):
        load_trust(path)
