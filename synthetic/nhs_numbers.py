"""Synthetic NHS numbers: ten digits whose last digit is the modulus-11 check digit.

Every number generated here starts with 999, a range the NHS reserves for testing and never
issues to a person, so nothing written by the generator can be a real patient's number.
Check digit (NHS Data Dictionary): weights 10..2 on the first nine digits; 11 minus the sum
modulo 11; 11 becomes 0 and 10 means the stem cannot carry a valid number.
"""

from __future__ import annotations

import numpy as np

_WEIGHTS = np.arange(10, 1, -1)
TEST_PREFIX = 999


def check_digits(stems: np.ndarray) -> np.ndarray:
    """Check digit for each nine-digit stem (int64); 10 marks a stem with no valid number."""
    digits = (stems[:, None] // 10 ** np.arange(8, -1, -1)) % 10
    remainder = (digits * _WEIGHTS).sum(axis=1) % 11
    check = 11 - remainder
    return np.where(check == 11, 0, check)


def is_valid(numbers: np.ndarray) -> np.ndarray:
    """Modulus-11 validity of ten-digit numbers given as text (spaces and dashes allowed)."""
    if numbers.size == 0:
        return np.zeros(0, dtype=bool)
    cleaned = np.char.replace(np.char.replace(numbers.astype(str), " ", ""), "-", "")
    ok = (np.char.str_len(cleaned) == 10) & np.char.isdigit(cleaned)
    values = np.where(ok, cleaned, "0").astype(np.int64)
    check = check_digits(values // 10)
    return ok & (check != 10) & (check == values % 10)


def generate(rng: np.random.Generator, n: int) -> np.ndarray:
    """`n` distinct valid numbers in the 999 test range, as ten-digit strings."""
    stems = np.empty(0, dtype=np.int64)
    while stems.size < n:
        draw = TEST_PREFIX * 1_000_000 + rng.integers(0, 1_000_000, size=2 * n + 16)
        stems = np.unique(np.concatenate([stems, draw[check_digits(draw) != 10]]))
    stems = rng.permutation(stems)[:n]
    return (stems * 10 + check_digits(stems)).astype(str)


def corrupt(numbers: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Same ten-digit numbers with a wrong check digit (the check digit is unique, so any other
    digit fails modulus 11)."""
    values = numbers.astype(np.int64)
    last = values % 10
    wrong = (last + rng.integers(1, 10, size=len(values))) % 10
    return (values - last + wrong).astype(str)


def spaced(numbers: np.ndarray) -> np.ndarray:
    """'4857773456' -> '485 777 3456', the way many clinical systems print NHS numbers."""
    s = numbers.astype(str)
    return np.char.add(
        np.char.add(np.char.add(_sl(s, 0, 3), " "), _sl(s, 3, 6) + " "), _sl(s, 6, 10)
    )


def _sl(s: np.ndarray, a: int, b: int) -> np.ndarray:
    return np.strings.slice(s, a, b)
