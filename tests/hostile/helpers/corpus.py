"""The bad-input corpus machinery: where a case writes, what it expects, what was observed.

Grain: one `Case` = one trust-month (or one landing-zone folder) of a clean generated landing
zone, overwritten with one kind of bad input. Every case states its expected outcome up front
(status, rule, message fragments, warning) and its builder returns the exact quarantined rows,
since those depend on the generated file it edits. `observe` gathers what the real flow did to
that case from the warehouse tables and the flow's returned `problems`.
"""

from __future__ import annotations

import csv
import fnmatch
import io
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from transforms.canonical import Dataset
from transforms.trust_config import Registry, TrustConfig

Quarantine = dict[int, str]  # source row number -> a rule that row must break


@dataclass(frozen=True)
class Site:
    """One case's place in the landing zone, with helpers to edit the generated files there."""

    landing: Path
    outside: Path  # a folder outside the landing zone (symlink targets, moved files)
    registry: Registry
    trust_code: str
    month: str  # YYYY-MM

    @property
    def folder(self) -> Path:
        return self.landing / self.trust_code / self.month

    @property
    def trust(self) -> TrustConfig:
        return self.registry.trust(self.trust_code)

    def file(self, dataset: Dataset, month: str | None = None) -> Path:
        """The generated file of `dataset` in this trust's `month` folder (default: the case's)."""
        pattern = self.trust.files.for_dataset(dataset).lower()
        folder = self.landing / self.trust_code / (month or self.month)
        (hit,) = [p for p in folder.iterdir() if fnmatch.fnmatch(p.name.lower(), pattern)]
        return hit

    def header(self, dataset: Dataset, field_name: str) -> str:
        return self.trust.header_for(dataset, field_name)

    def read_grid(self, path: Path) -> list[list[str]]:
        text = path.read_bytes().decode(self.trust.encoding).removeprefix("\ufeff")
        return list(csv.reader(io.StringIO(text), delimiter=self.trust.delimiter))

    def write_grid(self, path: Path, rows: list[list[str]], delimiter: str | None = None) -> None:
        buffer = io.StringIO()
        writer = csv.writer(
            buffer, delimiter=delimiter or self.trust.delimiter, lineterminator="\n"
        )
        writer.writerows(rows)
        path.write_bytes(buffer.getvalue().encode(self.trust.encoding))


@dataclass(frozen=True)
class Observed:
    """What the flow did to one case (run 1, and run 2 for resubmissions)."""

    submissions: pd.DataFrame  # etl_submission rows of the case's trust-month-dataset
    quarantine: dict[int, dict[str, str]]  # source row -> {rule: detail}, latest loaded file
    problems: list[dict]  # landing problems located at the case's folder
    facts: pd.DataFrame  # fact rows of the case's trust-month-dataset
    second_run: list[dict]  # files the second run processed for this case

    @property
    def latest(self) -> pd.Series | None:
        live = self.submissions[self.submissions.status != "superseded"]
        return None if live.empty else live.sort_values("processed_at").iloc[-1]


@dataclass(frozen=True)
class Case:
    """One kind of bad input and the outcome the pipeline promises for it.

    `status` is the etl_submission status of the case's file, or None when the file never
    becomes a submission (then `rule` is the landing problem's rule). `says` are fragments the
    rejection reason or problem detail must contain. `build` edits the clean files and returns
    the rows that must be quarantined; `resubmit` edits them again between the two runs.
    """

    name: str
    trust: str
    month: str
    dataset: Dataset | None
    sent: str
    build: Callable[[Site], Quarantine]
    status: str | None
    rule: str | None = None
    says: tuple[str, ...] = ()
    warning: str | None = None
    check: Callable[[Observed, Site], None] | None = None
    resubmit: Callable[[Site], None] | None = None


def observe(
    case: Case, tables: dict[str, pd.DataFrame], problems: list[dict], second: list[dict]
) -> Observed:
    subs = tables["etl_submission"]
    month = subs.reporting_month.astype(str).str[:7]
    mine = subs[(subs.trust_code == case.trust) & (month == case.month)]
    mine = mine[mine.dataset == case.dataset] if case.dataset else mine.iloc[0:0]
    latest = mine[mine.status == "loaded"].submission_id.tolist()
    quarantine: dict[int, dict[str, str]] = {}
    q = tables["etl_quarantine"]
    for row in q[q.submission_id.isin(latest)].itertuples():
        quarantine.setdefault(int(row.source_row_number), {})[str(row.rule)] = str(row.detail)
    fact_table = {"restrictive_interventions": "fct_restrictive_intervention",
                  "ward_stays": "fct_ward_stay_month"}.get(case.dataset or "", "")  # fmt: skip
    facts = tables[fact_table] if fact_table else pd.DataFrame({"submission_id": []})
    return Observed(
        submissions=mine.reset_index(drop=True),
        quarantine=quarantine,
        problems=[p for p in problems if _at(p, case)],
        facts=facts[facts.submission_id.isin(latest)].reset_index(drop=True),
        second_run=[
            f for f in second
            if f["trust_code"] == case.trust and f["reporting_month"] == case.month
            and f["dataset"] == case.dataset
        ],
    )  # fmt: skip


def _at(problem: dict, case: Case) -> bool:
    parts = str(problem["path"]).split("/")
    if case.trust not in parts:
        return False
    return not case.month or case.month in parts


def warning_rules(row: pd.Series) -> list[str]:
    return [str(w["rule"]) for w in json.loads(row.warnings or "[]")]


def outcome(obs: Observed) -> tuple[str, str, str]:
    """(outcome, rule, message) as the reliability table shows them."""
    if obs.problems:
        first = obs.problems[0]
        return "not read (landing problem)", str(first["rule"]), str(first["detail"])
    row = obs.latest
    if row is None:
        return "nothing recorded", "", ""
    if row.status == "rejected":
        return "rejected", str(row.rejection_rule), str(row.rejection_reason)
    rules = sorted({r for rs in obs.quarantine.values() for r in rs})
    rules += [f"warn: {w}" for w in warning_rules(row)]
    text = (
        f"loaded: {row.rows_received} received, {row.rows_loaded} loaded, "
        f"{row.rows_quarantined} quarantined"
    )
    return text, ", ".join(rules), ""
