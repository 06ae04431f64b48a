"""The Wilson interval written over arrays gives what scipy's binomtest gives, end values too."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.stats import binomtest

from transforms.proportions import wilson


def _grid() -> tuple[np.ndarray, np.ndarray]:
    """Every k of every n up to 60, and spread k of a few larger wards and trusts."""
    pairs = [(k, n) for n in range(1, 61) for k in range(n + 1)]
    pairs += [(k, n) for n in (97, 500, 4_321) for k in range(0, n + 1, max(1, n // 40))]
    pairs += [(n, n) for n in (97, 500, 4_321)]
    return np.array([k for k, _ in pairs]), np.array([n for _, n in pairs])


@pytest.mark.parametrize("confidence", [0.95, 0.998])
def test_the_interval_equals_scipy_binomtest_wilson_end_values_too(confidence: float) -> None:
    k, n = _grid()
    value, low, high = wilson(pd.Series(k), pd.Series(n), confidence)
    expected = [binomtest(int(a), int(b)).proportion_ci(confidence, method="wilson")
                for a, b in zip(k, n, strict=True)]  # fmt: skip
    np.testing.assert_allclose(low, [ci.low * 100 for ci in expected], rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(high, [ci.high * 100 for ci in expected], rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(value, k / n * 100, rtol=1e-15)
    assert (low[k == 0] == 0).all() and (high[k == n] == 100).all()


def test_unusable_pairs_have_no_value_and_no_interval() -> None:
    people = pd.Series([3, None, 5, 2, -1, 1], dtype="Int64", index=list("abcdef"))
    inpatients = pd.Series([4, 4, 4, 0, 4, None], dtype="Int64", index=list("abcdef"))
    value, low, high = wilson(people, inpatients)
    assert list(value.index) == list("abcdef")
    assert value.notna().tolist() == [True, False, False, False, False, False]
    assert low.notna().tolist() == high.notna().tolist() == value.notna().tolist()
    assert value["a"] == 75.0 and 0 < low["a"] < 75.0 < high["a"] < 100
