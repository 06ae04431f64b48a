"""Row-level validation: run a dataset's GX suite and split a derived frame into valid rows,
quarantined rows and warnings.

Grain: `derived` is one trust-month file after `transforms.derive.derive_fields` (one row per
intervention type used in an incident, or per ward stay). Every row ends up exactly once in
`valid` or at least once in `quarantine` (one quarantine row per (row, rule) broken), so
rows received = rows loaded + rows quarantined. Warnings never remove a row.
"""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass
from typing import Final
from zoneinfo import ZoneInfo

import pandas as pd

from expectations.details import row_detail
from expectations.failures import Failure, failures_by_part
from expectations.findings import Finding
from expectations.gx_runner import run_suite
from expectations.row_warnings import warning_findings
from expectations.rules import RULES
from expectations.suites import ETHNICITY_PARAMETER, plausibility_parameters
from transforms.canonical import SOURCE_ROW, Dataset
from transforms.trust_config import Plausibility, TrustConfig

QUARANTINE_COLUMNS: Final = [SOURCE_ROW, "rule", "detail"]
# GX sees a shallow copy with comparable types; `valid` keeps the derived frame's own columns.
# Date helpers are coerced to datetime64 so a `date`-object column compares with datetime64.
_DATE_HELPERS: Final = ("_dob", "_event_date", "_stay_start", "_stay_end")
# UTC instants compared as naive UTC: GX reads tz-aware columns through Series.values, which
# pandas 3.1 deprecates for DatetimeTZDtype (the comparison itself is unchanged).
_INSTANT_HELPERS: Final = ("_start_at", "_end_at")
_RULE_ORDER: Final = {name: position for position, name in enumerate(RULES)}


def london_today() -> dt.date:
    """Today's date in Europe/London, where the trusts' local times are."""
    return dt.datetime.now(ZoneInfo("Europe/London")).date()


@dataclass(frozen=True)
class RowValidation:
    valid: pd.DataFrame  # derived rows that passed every quarantine rule; same columns
    quarantine: pd.DataFrame  # source_row_number, rule, detail: one row per (row, rule)
    warnings: list[Finding]
    results: dict[str, int]  # this file's expectations: evaluated, successful, unsuccessful


def _for_gx(frame: pd.DataFrame) -> pd.DataFrame:
    checked = frame.copy(deep=False)
    for column in _DATE_HELPERS:
        if column in checked.columns:
            checked[column] = pd.to_datetime(checked[column])
    for column in _INSTANT_HELPERS:
        if column in checked.columns and isinstance(checked[column].dtype, pd.DatetimeTZDtype):
            checked[column] = checked[column].dt.tz_convert("UTC").dt.tz_localize(None)
    return checked


def _quarantine(frame: pd.DataFrame, failures: list[Failure]) -> pd.DataFrame:
    pairs = sorted(
        {(i, f.rule) for f in failures if f.severity == "quarantine_row" for i in f.indexes},
        key=lambda pair: (pair[0], _RULE_ORDER[pair[1]]),
    )
    indexes = sorted({index for index, _ in pairs})
    # to_dict costs milliseconds even for no rows, and most files quarantine none
    records = frame.loc[indexes].to_dict("records") if indexes else []
    rows = dict(zip(indexes, records, strict=True))
    return pd.DataFrame(
        {
            SOURCE_ROW: pd.array([int(rows[index][SOURCE_ROW]) for index, _ in pairs], "int64"),
            "rule": pd.array([rule for _, rule in pairs], "str"),
            "detail": pd.array([row_detail(rule, rows[index]) for index, rule in pairs], "str"),
        },
        columns=QUARANTINE_COLUMNS,
    )


def validate_rows(derived: pd.DataFrame, dataset: Dataset, trust: TrustConfig) -> RowValidation:
    """Validate one derived file against its dataset's suite with the trust's warning share."""
    return validate_parts([(derived, trust)], dataset)[0]


def validate_many(
    derived: list[pd.DataFrame], dataset: Dataset, trust: TrustConfig
) -> list[RowValidation]:
    """Validate several files of one trust and dataset in ONE suite run, one result per file."""
    return validate_parts([(frame, trust) for frame in derived], dataset)


def validate_parts(
    parts: list[tuple[pd.DataFrame, TrustConfig]], dataset: Dataset,
    plausibility: Plausibility | None = None, arrived: dt.date | None = None,
) -> list[RowValidation]:  # fmt: skip
    """Validate several files of one dataset, from any trusts, in ONE suite run; one result per
    file, the same as validating each file alone with its own trust's settings.

    A GX run costs about a quarter of a second whatever its size (its metric graph, not the
    data), so a run validates every file of a wave of trust-months together and
    `failures_by_part` splits the result back per file. Row rules split exactly; a `mostly` rule
    (the ethnicity share) is judged per file against that file's trust threshold.
    `plausibility` holds the collaborative's duration bounds [the defaults]; `arrived` is the
    day the files arrived [today in Europe/London]: an end after it cannot have happened yet.
    """
    if not parts:
        return []
    frames = [frame.reset_index(drop=True) for frame, _ in parts]
    if any(set(frame.columns) != set(frames[0].columns) for frame in frames[1:]):
        # concatenating would fill a missing column with nulls: rows quarantined, not an error
        raise ValueError(f"{dataset}: files validated together must have the same columns")
    offsets = [0]
    for frame in frames:
        offsets.append(offsets[-1] + len(frame))
    bounds = list(itertools.pairwise(offsets))
    combined = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
    shared = plausibility_parameters(plausibility or Plausibility(), arrived or london_today())
    parameters = [
        {ETHNICITY_PARAMETER: round(1 - trust.ethnicity_unknown_warn_share, 6), **shared}
        for _, trust in parts
    ]
    # The run's own `mostly` verdict is not used (each file is judged alone), so any file's
    # parameters will do for the run itself.
    result = run_suite(_for_gx(combined), dataset, parameters[0])
    evaluated = len(result.results)
    failures = failures_by_part(result, bounds, frames, parameters)
    return [
        _split(frame, failed, trust, evaluated)
        for frame, failed, (_, trust) in zip(frames, failures, parts, strict=True)
    ]


def _split(
    frame: pd.DataFrame, failures: list[Failure], trust: TrustConfig, evaluated: int
) -> RowValidation:
    quarantine = _quarantine(frame, failures)
    bad = {i for f in failures if f.severity == "quarantine_row" for i in f.indexes}
    valid = frame.loc[~frame.index.isin(list(bad))].reset_index(drop=True)
    return RowValidation(
        valid=valid,
        quarantine=quarantine,
        warnings=warning_findings(frame, failures, trust),
        results={
            "evaluated_expectations": evaluated,
            "successful_expectations": evaluated - len(failures),
            "unsuccessful_expectations": len(failures),
        },
    )
