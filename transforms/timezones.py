"""UK local wall-clock times (Europe/London) to UTC instants, with the clock-change rules of
design.md §8.1: durations are measured on UTC instants, never on local wall-clock times.

- October (clocks go back): 01:00-01:59 happens twice. A time there is taken as its first
  occurrence (BST), unless it is an interval's end that would then fall before the start, in
  which case it is the second occurrence (GMT) - so a 01:50 -> 01:10 seclusion that night lasts
  20 minutes and is not an error.
- March (clocks go forward): 01:00-01:59 never happens. Such a time is read as the instant one
  hour later (01:30 -> 02:30 BST, which is 01:30 UTC).
"""

from __future__ import annotations

from typing import Final

import numpy as np
import pandas as pd

LONDON: Final = "Europe/London"


def london_to_utc(local: pd.Series, *, first_occurrence: bool = True) -> pd.Series:
    """UTC instants (`datetime64[us, UTC]`) of naive local times; NaT stays NaT."""
    naive = local.astype("datetime64[us]")
    which = np.full(len(naive), first_occurrence, dtype=bool)
    aware = naive.dt.tz_localize(LONDON, ambiguous=which, nonexistent=pd.Timedelta(hours=1))
    return aware.dt.tz_convert("UTC")


def interval_to_utc(start_local: pd.Series, end_local: pd.Series) -> tuple[pd.Series, pd.Series]:
    """UTC start and end of local intervals, moving an ambiguous end to its second occurrence
    when only that makes the interval non-negative (see module docstring)."""
    start = london_to_utc(start_local)
    end_first = london_to_utc(end_local)
    end_second = london_to_utc(end_local, first_occurrence=False)
    use_second = (end_first < start) & (end_second >= start)
    return start, end_first.mask(use_second, end_second)
