"""Consecutive items cut into groups by a size budget: compute chunks (bytes of a trust's
files), GX suite runs (rows of a wave's files) and mart passes (fact rows of months)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

T = TypeVar("T")


def consecutive_groups(
    items: Sequence[T], sizes: Sequence[int], max_size: float, max_items: float = float("inf")
) -> list[list[T]]:
    """`items` in order, in groups of at most `max_items` items whose `sizes` sum to at most
    `max_size`; an item larger than `max_size` is a group alone."""
    groups: list[list[T]] = []
    total = 0
    for item, size in zip(items, sizes, strict=True):
        if not groups or len(groups[-1]) >= max_items or total + size > max_size:
            groups.append([])
            total = 0
        groups[-1].append(item)
        total += size
    return groups
