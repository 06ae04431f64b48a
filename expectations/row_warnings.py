"""Warnings for a trust: rows that load but whose values need attention, as `Finding`s.

Grain: one `Finding` per warning rule broken in a file (all its expectations merged), with the
number of affected rows and up to ten example source row numbers. Details quote the offending
code values with their counts (never identifiers; see `expectations.details.quote`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping

import pandas as pd

from expectations.details import quote
from expectations.failures import Failure
from expectations.findings import Finding
from transforms.canonical import SOURCE_ROW
from transforms.trust_config import TrustConfig

MAX_EXAMPLES = 10
MAX_VALUES = 5
_LOADED_AS = {
    "gender_unrecognised": "loaded as X (not known)",
    "gender_identity_unrecognised": "loaded as X (not known)",
    "lsoa_malformed": "loaded as blank",
    "reason_unrecognised": "loaded as blank",
    "flag_unrecognised": "loaded as blank",
    "ethnic_category_invalid": "loaded as ethnic category Unknown",
}
# Rules on identifiers and dates of birth: the values are never quoted, only the field named.
_WITHHELD_DETAILS = {
    "patient_id_missing": (
        "nhs_number and local_patient_id: neither usable; counted as interventions or bed days,"
        " not towards people"
    ),
    "nhs_number_invalid": (
        "nhs_number (value withheld) fails the modulus 11 check; treated as absent, the local"
        " patient id identifies the person"
    ),
    "date_of_birth_missing_or_invalid": (
        "date_of_birth (value withheld) is blank or not a date; loaded with age band Unknown"
    ),
    "date_of_birth_after_event": (
        "date_of_birth (value withheld) is after the event date; loaded with age band Unknown"
    ),
    "age_over_120": (
        "date_of_birth (value withheld) gives an age over 120; loaded with age band Unknown"
    ),
    "ward_code_missing": (
        "ward_code is blank; loaded with ward Unknown (in the trust's totals, not in any ward's)"
    ),
}


def _values(frame: pd.DataFrame, failures: list[Failure]) -> str:
    parts = []
    for failure in failures:
        if failure.column is None or not failure.indexes:
            continue
        counts = Counter(frame.loc[list(failure.indexes), failure.column].astype(str))
        shown = ", ".join(f"{quote(v)} ({n})" for v, n in counts.most_common(MAX_VALUES))
        more = " and others" if len(counts) > MAX_VALUES else ""
        parts.append(f"{failure.column} {shown}{more}")
    return "; ".join(parts)


def _detail(rule: str, frame: pd.DataFrame, failures: list[Failure], rows: int,
            trust: TrustConfig) -> str:  # fmt: skip
    if rule == "ethnicity_not_stated_high":
        known = int(frame["ethnic_category"].notna().sum())
        share = rows / known if known else 0.0
        return (
            f"{share:.0%} of rows ({rows} of {known}) have ethnic category Z (not stated) or"
            f" 99 (not known); your usual share is at most"
            f" {trust.ethnicity_unknown_warn_share:.0%}"
        )
    if rule == "restraint_over_24_hours":
        indexes = [i for f in failures for i in f.indexes]
        longest = int(frame.loc[indexes, "_duration_minutes"].max())
        return (
            f"{rows} physical or chemical restraint rows last longer than 24 hours"
            f" (longest {longest:,} minutes)"
        )
    if rule in _WITHHELD_DETAILS:
        return f"{rows} rows: {_WITHHELD_DETAILS[rule]}"
    suffix = _LOADED_AS.get(rule, "")
    return f"{_values(frame, failures)}" + (f"; {suffix}" if suffix else "")


def warning_findings(
    frame: pd.DataFrame, failures: list[Failure], trust: TrustConfig
) -> list[Finding]:
    """One `warn` Finding per warning rule that failed, in suite order."""
    by_rule: dict[str, list[Failure]] = {}
    for failure in failures:
        if failure.severity == "warn":
            by_rule.setdefault(failure.rule, []).append(failure)
    findings = []
    for rule, group in by_rule.items():
        indexes = sorted({i for f in group for i in f.indexes})
        source_rows = frame.loc[indexes[:MAX_EXAMPLES], SOURCE_ROW].astype(int).tolist()
        findings.append(
            Finding(
                rule=rule,
                severity="warn",
                detail=_detail(rule, frame, group, len(indexes), trust),
                count=len(indexes),
                example_rows=tuple(source_rows),
            )
        )
    return findings


def unmapped_code_findings(unmapped: Mapping[str, Mapping[str, int]]) -> list[Finding]:
    """The `unmapped_local_code` warning from `MappingResult.unmapped` ({field: {value: rows}}).

    Mapping reports counts, not rows, so the Finding has no example rows.
    """
    parts = []
    total = 0
    for field, values in unmapped.items():
        if not values:
            continue
        total += sum(values.values())
        ranked = sorted(values.items(), key=lambda kv: (-kv[1], kv[0]))
        shown = ", ".join(f"{quote(v)} ({n})" for v, n in ranked[:MAX_VALUES])
        more = " and others" if len(ranked) > MAX_VALUES else ""
        parts.append(f"{field} {shown}{more}")
    if not total:
        return []
    detail = "no mapping for local values: " + "; ".join(parts)
    return [Finding("unmapped_local_code", "warn", detail, count=total)]


def withheld_findings(withheld: Mapping[str, list[int]]) -> list[Finding]:
    """The `identifier_withheld` warning from `MappingResult.withheld` ({field: source rows})."""
    rows = sorted({r for numbers in withheld.values() for r in numbers})
    if not rows:
        return []
    fields = ", ".join(f"{name} ({len(numbers)})" for name, numbers in withheld.items())
    detail = f"values that look like an NHS number or local patient id were withheld in {fields}"
    return [Finding("identifier_withheld", "warn", detail, len(rows), tuple(rows[:MAX_EXAMPLES]))]
