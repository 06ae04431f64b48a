"""NHS Digital's Data Quality Maturity Index (DQMI) formula (docs/domain.md §7.1).

Per data item: defaults in excess = max(0, defaults - threshold x records); item score =
(valid and complete - defaults in excess) / records. Per dataset (here: per trust, month and
dataset): DQMI = mean(item scores) x mean(coverage) x 100, over the n data items for which data
was submitted. Coverage is the share of the expected period for which data was submitted.
A threshold of None means defaults do not apply to the item (none are in excess).
Source: NHS Digital, "Data Quality Maturity Index (DQMI) methodology", Appendix 1.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class ItemCounts:
    records: int
    valid_and_complete: int
    defaults: int
    threshold: float | None  # share of records whose defaults are accepted as valid, 0..1


def defaults_in_excess(item: ItemCounts) -> float:
    if item.threshold is None:
        return 0.0
    return max(0.0, item.defaults - item.threshold * item.records)


def item_score(item: ItemCounts) -> float | None:
    """The item's score as a share (0..1); None when no records were submitted."""
    if item.records <= 0:
        return None
    return max(0.0, (item.valid_and_complete - defaults_in_excess(item)) / item.records)


def dqmi(scores: Sequence[float | None], coverage: Sequence[float]) -> float | None:
    """The DQMI (0..100) of items with their coverage; items with no data are left out."""
    pairs = [(s, c) for s, c in zip(scores, coverage, strict=True) if s is not None]
    if not pairs:
        return None
    n = len(pairs)
    return sum(s for s, _ in pairs) / n * (sum(c for _, c in pairs) / n) * 100
