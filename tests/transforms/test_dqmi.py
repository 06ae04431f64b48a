"""The DQMI formula on NHS Digital's worked example (DQMI methodology, Appendix 1): 47.2."""

from __future__ import annotations

import pytest

from transforms.dqmi import ItemCounts, defaults_in_excess, dqmi, item_score

# (dataset, item, records, valid and complete, defaults, threshold %, item score %, coverage)
# Coverage is the factor the appendix's calculation uses for each item (submitted / expected
# months of the period). Datasets 4 and 5 expected no data and are not among the n items.
# Dataset 7 item 3 prints its valid-and-complete count as "45.000": 45,000 gives the 83.5 shown.
APPENDIX_1 = [
    (1, 1, 2_500, 2_400, 100, 2.0, 94.0, 1),
    (1, 2, 2_500, 2_500, 100, 100.0, 100.0, 1),
    (1, 3, 2_500, 2_000, 100, 0.0, 76.0, 1),
    (2, 1, 1_000, 900, 900, 0.0, 0.0, 1 / 3),
    (2, 2, 1_000, 800, 800, 100.0, 80.0, 1 / 3),
    (2, 3, 1_000, 900, 450, 0.0, 45.0, 1 / 3),
    (2, 4, 1_000, 1_000, 100, 3.5, 93.5, 1 / 3),
    (3, 1, 10_000, 10_000, 0, None, 100.0, 1 / 3),
    (3, 2, 10_000, 10_000, 0, None, 100.0, 1 / 3),
    (7, 1, 50_000, 50_000, 100, 2.0, 100.0, 2 / 3),
    (7, 2, 50_000, 49_000, 5_000, 100.0, 98.0, 2 / 3),
    (7, 3, 50_000, 45_000, 5_000, 3.5, 83.5, 2 / 3),
]
EXCESS = [50, 0, 100, 900, 0, 450, 65, 0, 0, 0, 0, 3_250]


def _counts(row: tuple) -> ItemCounts:
    _, _, records, valid, defaults, threshold, _, _ = row
    return ItemCounts(records, valid, defaults, None if threshold is None else threshold / 100)


def test_each_item_score_and_excess_of_the_worked_example() -> None:
    for row, excess in zip(APPENDIX_1, EXCESS, strict=True):
        item = _counts(row)
        assert defaults_in_excess(item) == pytest.approx(excess), row
        assert item_score(item) * 100 == pytest.approx(row[6]), row


def test_the_worked_example_scores_47_2() -> None:
    scores = [item_score(_counts(row)) for row in APPENDIX_1]
    coverage = [row[7] for row in APPENDIX_1]
    assert sum(scores) == pytest.approx(9.7)
    assert round(dqmi(scores, coverage), 1) == 47.2


def test_items_without_data_are_left_out() -> None:
    assert item_score(ItemCounts(0, 0, 0, None)) is None
    assert dqmi([None, 0.5], [0.0, 1.0]) == pytest.approx(50.0)
    assert dqmi([None], [1.0]) is None
