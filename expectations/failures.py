"""What a GX suite run found, reduced to rule names and the frame index labels that broke them.

Grain: one `Failure` per failing expectation (a rule may own several expectations, e.g. one
per flag column). Index labels are those of the frame that was validated, which
`validate_rows` resets to a RangeIndex first, so they are row positions.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from expectations.findings import Severity
from expectations.rules import RULES


@dataclass(frozen=True)
class Failure:
    rule: str
    severity: Severity
    column: str | None  # the tested column of a single-column expectation, else None
    indexes: tuple[int, ...]


def failures_from(result: Any) -> list[Failure]:
    """Failing expectations of a COMPLETE-format suite result, in suite order."""
    failures = []
    for item in result.results:
        if item.success:
            continue
        config = item.expectation_config
        rule = config.meta["rule"]
        indexes = tuple(int(i) for i in item.result.get("unexpected_index_list") or ())
        failures.append(Failure(rule, RULES[rule].severity, config.kwargs.get("column"), indexes))
    return failures
