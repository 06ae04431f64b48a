"""What a GX suite run found, reduced to rule names and the frame index labels that broke them.

Grain: one `Failure` per failing expectation (a rule may own several expectations, e.g. one
per flag column). Index labels are those of the frame that was validated, which
`validate_rows` resets to a RangeIndex first, so they are row positions.
"""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass
from typing import Any

from expectations.findings import Severity
from expectations.rules import RULES
from expectations.suites import MOSTLY_PARAMETERS


@dataclass(frozen=True)
class Failure:
    rule: str
    severity: Severity
    column: str | None  # the tested column of a single-column expectation, else None
    indexes: tuple[int, ...]


def failures_by_part(
    result: Any,
    bounds: list[tuple[int, int]],
    frames: list[Any],
    parameters: list[dict[str, Any]],
) -> list[list[Failure]]:
    """Split one suite result over a concatenation of several files back into each file's
    failures, with index labels local to that file.

    Row rules split exactly. A `mostly` rule (a share, e.g. ethnicity not stated) is judged per
    file from its own failing rows and non-null rows against that file's own `parameters` (its
    trust's threshold), as if the file had been validated alone: GX reports the failing rows of a
    `mostly` expectation even when the whole batch passes.
    """
    parts: list[list[Failure]] = [[] for _ in bounds]
    for item in result.results:
        config = item.expectation_config
        rule = config.meta["rule"]
        column = config.kwargs.get("column")
        unexpected = sorted(int(i) for i in item.result.get("unexpected_index_list") or ())
        for k, (lo, hi) in enumerate(bounds):
            # the part's slice of the sorted positions, found by bisection (many parts per run)
            first, last = bisect_left(unexpected, lo), bisect_left(unexpected, hi)
            local = tuple(i - lo for i in unexpected[first:last])
            mostly = _mostly(rule, config.kwargs.get("mostly"), parameters[k])
            if mostly is None:
                failed = bool(local)
            else:
                present = int(frames[k][column].notna().sum())
                failed = present > 0 and (present - len(local)) / present < mostly
            if failed:
                parts[k].append(Failure(rule, RULES[rule].severity, column, local))
    return parts


def _mostly(rule: str, value: Any, parameters: dict[str, Any]) -> float | None:
    """The share this part is judged by: its own parameter for a parameterised rule (GX's result
    carries the value the run was given, which is only one of the parts'), else the suite's."""
    if rule in MOSTLY_PARAMETERS:
        return float(parameters[MOSTLY_PARAMETERS[rule]])
    return None if value is None else float(value)
