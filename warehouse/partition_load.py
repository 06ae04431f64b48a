"""What the flow hands the warehouse for one trust-month: the unit of an atomic load.

A `PartitionLoad` carries one `SubmissionOutcome` per dataset processed for (trust, month).
`Warehouse.replace_partition` applies all of them in one transaction, so the partition is seen
either as before or as after, never half.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Literal

import pandas as pd

from expectations.findings import Finding
from transforms.canonical import Dataset

Status = Literal["loaded", "rejected", "superseded"]


@dataclass(frozen=True, eq=False)
class SubmissionOutcome:
    """One processed file version and what became of it.

    `facts` holds exactly the fact-table columns except `submission_id` (the loader adds it) and
    is required when status is "loaded"; `quarantine` holds `source_row_number`, `rule`,
    `detail` (one row per failing (row, rule)). Neither may hold a patient identifier.
    """

    dataset: Dataset
    submission_id: str
    file_name: str
    file_sha256: str
    status: Literal["loaded", "rejected"]
    rows_received: int
    rows_loaded: int
    rows_quarantined: int
    rejection_rule: str | None = None
    rejection_reason: str | None = None
    warnings: list[Finding] = field(default_factory=list)
    received_at: datetime | None = None
    processed_at: datetime | None = None
    flow_run_id: str | None = None
    facts: pd.DataFrame | None = None
    quarantine: pd.DataFrame | None = None

    def warnings_json(self) -> str:
        """Warnings as JSON text: a list of {rule, detail, count, example_rows}."""
        return json.dumps(
            [
                {"rule": f.rule, "detail": f.detail, "count": f.count,
                 "example_rows": list(f.example_rows)}
                for f in self.warnings
            ]
        )  # fmt: skip


@dataclass(frozen=True, eq=False)
class PartitionLoad:
    """Everything to apply for one (trust, reporting month)."""

    trust_code: str
    reporting_month: date
    outcomes: list[SubmissionOutcome]


__all__ = ["PartitionLoad", "Status", "SubmissionOutcome"]
