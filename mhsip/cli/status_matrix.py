"""The submission matrix as text that fits the terminal it is printed in (or 80 columns piped).

Months that do not fit beside each other wrap into further blocks, and every block repeats the
trust codes and its month labels, so a narrow terminal never shows an unlabelled column. The
default window is the last 12 months received (`default_window`), which fits in 80 columns.
"""

from __future__ import annotations

from datetime import date
from typing import Final

import pandas as pd

from report.quality import change_number

DEFAULT_MONTHS: Final = 12
CELL: Final = 6  # a month label "yy-mm" and a space
LEGEND: Final = {"L": "loaded", "0": "nil return", "P": "partial", "R": "rejected",
                 "-": "not yet due", "!": "late"}  # fmt: skip
LETTER: Final = {"loaded": "L", "nil": "0", "partial": "P", "rejected": "R", "missing": "-",
                 "late": "!"}  # fmt: skip
STYLE: Final = {"L": "green", "0": "green", "P": "yellow", "R": "red", "!": "bold red"}


def add_months(month: date, count: int) -> date:
    index = month.year * 12 + month.month - 1 + count
    return date(index // 12, index % 12 + 1, 1)


def default_window(
    first_received: date, last_received: date, first: date | None, last: date | None
) -> tuple[date, date]:
    """--from/--to when given; otherwise the 12 months up to the last received (or --to)."""
    end = last or last_received
    start = first or max(first_received, add_months(end, 1 - DEFAULT_MONTHS))
    return start, end


def matrix_blocks(
    frame: pd.DataFrame, months: list[date], width: int, styled: bool = False
) -> list[list[str]]:
    """Blocks of lines, each at most `width` characters wide (at least one month a block).

    `frame` has one row per (trust_code, reporting_month "YYYY-MM") with `state`. With
    `styled`, the marks carry rich markup (the widths are counted without it)."""
    trusts = sorted(set(frame["trust_code"]))
    label = max([5, *map(len, trusts)]) + 1
    per_block = max(1, (width - label) // CELL)
    state = {(str(r.trust_code), str(r.reporting_month)): str(r.state)
             for r in frame.itertuples(index=False)}  # fmt: skip
    blocks = []
    for start in range(0, len(months), per_block):
        chunk = months[start : start + per_block]
        lines = ["trust".ljust(label) + " ".join(f"{m:%y-%m}" for m in chunk)]
        for trust in trusts:
            marks = [_mark(state.get((trust, f"{m:%Y-%m}"), "missing"), styled) for m in chunk]
            lines.append(trust.ljust(label) + " ".join(marks))
        blocks.append([line.rstrip() for line in lines])
    return blocks


def _mark(state: str, styled: bool) -> str:
    letter = LETTER[state]
    padded = f"  {letter}  "
    if styled and letter in STYLE:
        return f"  [{STYLE[letter]}]{letter}[/{STYLE[letter]}]  "
    return padded


def change_lines(changes: pd.DataFrame) -> list[str]:
    """One line per resubmission (trust, month, refresh): "RX2 2024-03: interventions 41 -> 58"."""
    lines = []
    keys = ["trust_code", "reporting_month", "changed_at"]
    for (trust, month, _), group in changes.groupby(keys, sort=True):
        moves = ", ".join(
            f"{r.measure} {change_number(r.value_before)} -> {change_number(r.value_after)}"
            for r in group.sort_values("measure").itertuples(index=False)
        )
        lines.append(f"{trust} {pd.Timestamp(str(month)):%Y-%m}: {moves}")
    return lines


def legend() -> str:
    return ", ".join(f"{k} {v}" for k, v in LEGEND.items())
