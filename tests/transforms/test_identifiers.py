"""Modulus 11 NHS number checks and the keyed pseudonym (synthetic numbers only)."""

from __future__ import annotations

import pandas as pd
import pytest

from transforms.identifiers import (
    is_valid_nhs_number,
    nhs_number_status,
    normalise_nhs_number,
    pseudonymise,
)


@pytest.mark.parametrize(
    ("number", "valid"),
    [
        ("9434765919", True),
        ("9434765918", False),  # wrong check digit
        ("9999999999", True),  # sum 486, 486 mod 11 = 2, check 9
        ("0000000000", True),  # check 11 -> 0
        ("0000000060", False),  # sum 12, check 10: no check digit can make it valid
        ("0000000069", False),
        ("943476591", False),  # nine digits
        ("94347659190", False),
        ("943476591X", False),
        ("٩٤٣٤٧٦٥٩١٩", False),  # Arabic-Indic digits are not NHS number digits
    ],
)
def test_modulus_11(number: str, valid: bool) -> None:
    assert is_valid_nhs_number(number) is valid
    expected = "valid" if valid else "invalid"
    assert nhs_number_status(pd.Series([number], dtype="str")).tolist() == [expected]


def test_normalise_removes_spaces_and_dashes() -> None:
    assert normalise_nhs_number(" 943 476-5919 ") == "9434765919"
    assert normalise_nhs_number(" - ") is None
    assert normalise_nhs_number(None) is None


def test_status_is_vectorised_and_absent_when_blank() -> None:
    series = pd.Series(["943 476 5919", "943-476-5918", None, "  ", "unknown"], dtype="str")
    assert nhs_number_status(series).tolist() == ["valid", "invalid", "absent", "absent", "invalid"]


def test_pseudonym_prefers_valid_nhs_number_then_local_id() -> None:
    nhs = pd.Series(["9434765919", "943 476 5919", "9434765918", None, None], dtype="str")
    local = pd.Series(["L1", None, "L1", "L1", None], dtype="str")
    keys = pseudonymise(nhs, local, "RX2", b"k1").tolist()
    assert keys[0] == keys[1]  # same person by NHS number, whatever the local id
    assert keys[2] == keys[3]  # invalid number falls back to the local id
    assert keys[0] != keys[2]
    assert pd.isna(keys[4])
    assert all(len(k) == 32 for k in keys[:4])
    # exact value: HMAC-SHA256(b"k1", b"nhs:9434765919"), first 32 hex characters
    import hashlib
    import hmac

    assert keys[0] == hmac.new(b"k1", b"nhs:9434765919", hashlib.sha256).hexdigest()[:32]


def test_pseudonym_is_stable_per_key_and_differs_between_keys_and_trusts() -> None:
    nhs = pd.Series([None], dtype="str")
    local = pd.Series(["L1"], dtype="str")
    first = pseudonymise(nhs, local, "RX2", b"k1").iloc[0]
    assert pseudonymise(nhs, local, "RX2", b"k1").iloc[0] == first
    assert pseudonymise(nhs, local, "RX2", b"k2").iloc[0] != first
    assert pseudonymise(nhs, local, "RW1", b"k1").iloc[0] != first  # local ids are per trust
