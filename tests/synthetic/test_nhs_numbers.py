from __future__ import annotations

import numpy as np

from synthetic import nhs_numbers


def test_check_digit_of_known_numbers() -> None:
    # 943 476 5919 is the Data Dictionary's worked example: weights 10..2 sum to 299,
    # 299 mod 11 = 2, 11 - 2 = 9. 485 777 345x needs check digit 7, so ...3456 is invalid.
    assert nhs_numbers.check_digits(np.array([943476591, 485777345])).tolist() == [9, 7]
    got = nhs_numbers.is_valid(
        np.array(
            [
                "9434765919",
                "943 476 5919",
                "943-476-5919",
                "9434765918",
                "4857773456",
                "",
                "94347659",
            ]
        )
    )
    assert got.tolist() == [True, True, True, False, False, False, False]


def test_generated_numbers_are_valid_distinct_and_in_the_test_range() -> None:
    numbers = nhs_numbers.generate(np.random.default_rng(5), 2000)
    assert len(set(numbers.tolist())) == 2000
    assert all(n.startswith("999") and len(n) == 10 for n in numbers.tolist())
    assert nhs_numbers.is_valid(numbers).all()


def test_corrupted_numbers_fail_and_spacing_keeps_validity() -> None:
    numbers = nhs_numbers.generate(np.random.default_rng(6), 500)
    bad = nhs_numbers.corrupt(numbers, np.random.default_rng(7))
    assert not nhs_numbers.is_valid(bad).any()
    assert [b[:9] for b in bad.tolist()] == [n[:9] for n in numbers.tolist()]
    assert nhs_numbers.spaced(np.array(["9434765919"])).tolist() == ["943 476 5919"]
