"""Structured results of checks: what broke, how badly, how often, and where."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Severity = Literal["reject_file", "quarantine_row", "warn"]


@dataclass(frozen=True)
class Finding:
    """One rule broken by one file.

    `example_rows` are source row numbers (as the trust sees them), at most ten; `detail` is a
    plain-English sentence that never contains a patient identifier or a date of birth.
    """

    rule: str
    severity: Severity
    detail: str
    count: int = 1
    example_rows: tuple[int, ...] = field(default_factory=tuple)
