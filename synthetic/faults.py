"""Planted faults: the errors real extracts carry, at a known share, recorded for the tests.

Row faults (about `ROW_FAULT_SHARE` of rows, one kind per row) should each get the row
quarantined; file faults (about `FILE_FAULT_SHARE` of files, at least one of each kind in a run
with faults on) should get the whole file rejected, except `nil_return`, a header-only
interventions file, which is a valid zero. All choices come from the generator's seeded random
streams, so the same seed plants the same faults in the same rows. Faults work on a table's
canonical columns in the trust's dialect and use its hidden typed columns to rewrite dates.
"""

from __future__ import annotations

import numpy as np

from synthetic import nhs_numbers
from synthetic.dialect import Dialect
from synthetic.extracts import Table
from synthetic.manifest import Expected
from transforms.canonical import Dataset, required_fields

ROW_FAULT_SHARE = 0.015
FILE_FAULT_SHARE = 0.004
ROW_FAULTS: dict[Dataset, tuple[str, ...]] = {
    "restrictive_interventions": (
        "invalid_intervention_type", "invalid_ethnic_category", "end_before_start",
        "missing_incident_id", "missing_ward_code", "duplicate_row", "invalid_nhs_number",
    ),
    "ward_stays": (
        "invalid_ethnic_category", "end_before_start", "missing_ward_stay_id",
        "missing_ward_code", "duplicate_row", "invalid_nhs_number",
    ),
}  # fmt: skip
FILE_FAULTS: dict[str, tuple[Dataset, ...]] = {
    "wrong_month": ("restrictive_interventions",),
    "nil_return": ("restrictive_interventions",),
    "empty_ward_stays": ("ward_stays",),
    "missing_required_column": ("restrictive_interventions", "ward_stays"),
}
# A bad demographic or location field is loaded as Unknown with a warning (the corrected
# extract specification, design.md §8); the value is the rule that warns.
WARN_RULES: dict[str, str] = {
    "invalid_ethnic_category": "ethnic_category_invalid",
    "missing_ward_code": "ward_code_missing",
    "invalid_nhs_number": "nhs_number_invalid",
}
EXPECTED: dict[str, Expected] = {
    **{kind: "quarantine_row" for kinds in ROW_FAULTS.values() for kind in kinds},
    **dict.fromkeys(WARN_RULES, "warn_row"),
    **dict.fromkeys(FILE_FAULTS, "reject_file"),
    "nil_return": "accept",
}
BAD_INTERVENTION_TYPES = ("02", "03", "Headlock")
BAD_ETHNIC_CATEGORIES = ("T", "U", "V")
_MISSING = {"missing_incident_id": "incident_id", "missing_ward_stay_id": "ward_stay_id",
            "missing_ward_code": "ward_code"}  # fmt: skip
YEAR_BACK = np.timedelta64(364, "D")  # 52 weeks: every date lands in another month

FileKey = tuple[str, int, Dataset]  # (trust, month index, dataset)
RowFault = tuple[str, np.ndarray, str]  # (kind, row keys, detail)


def plan_file_faults(files: list[FileKey], rng: np.random.Generator) -> dict[FileKey, str]:
    """Pick the whole files that get a file fault: one kind per file, none twice."""
    plan: dict[FileKey, str] = {}
    for kind, datasets in FILE_FAULTS.items():
        free = [f for f in files if f[2] in datasets and f not in plan]
        n = min(len(free), max(1, round(len(free) * FILE_FAULT_SHARE)))
        for i in sorted(rng.choice(len(free), size=n, replace=False).tolist()):
            plan[free[i]] = kind
    return plan


def apply_file_fault(
    kind: str, table: Table, dataset: Dataset, d: Dialect, rng: np.random.Generator
) -> tuple[Table, str]:
    """Returns the faulty table and a detail for the manifest."""
    if kind in ("nil_return", "empty_ward_stays"):
        return {k: v[:0] for k, v in table.items()}, "header only"
    if kind == "wrong_month":
        out = dict(table)
        out["start"] = d.datetime(table["_start"] - YEAR_BACK)
        out["end"] = d.datetime(table["_end"] - YEAR_BACK)
        return out, "every start and end 52 weeks earlier"
    candidates = [f for f in required_fields(dataset) if f in table]
    dropped = candidates[int(rng.integers(len(candidates)))]
    out = {k: v for k, v in table.items() if k != dropped}
    return out, f"column {dropped} ({d.trust.header_for(dataset, dropped)}) left out"


def apply_row_faults(
    table: Table, dataset: Dataset, d: Dialect, month: tuple[np.datetime64, np.datetime64],
    rng: np.random.Generator,
) -> tuple[Table, list[RowFault]]:  # fmt: skip
    out = {k: v.astype(object) if v.dtype.kind == "U" else v.copy() for k, v in table.items()}
    chosen = np.flatnonzero(rng.random(len(table["_key"])) < ROW_FAULT_SHARE)
    hits: dict[tuple[str, str], list[int]] = {}
    duplicates: list[int] = []
    for i in chosen.tolist():
        kinds = [k for k in ROW_FAULTS[dataset] if _applies(k, out, dataset, i, month)]
        kind = kinds[int(rng.integers(len(kinds)))]
        detail = _apply(kind, out, dataset, d, i, rng)
        if kind == "duplicate_row":
            duplicates.append(i)
        else:
            hits.setdefault((kind, detail), []).append(int(out["_key"][i]))
    faults = [(kind, np.array(keys), detail) for (kind, detail), keys in hits.items()]
    if duplicates:
        n = len(out["_key"])
        repeat = np.ones(n, dtype=int)
        repeat[duplicates] = 2
        out = {k: np.repeat(v, repeat) for k, v in out.items()}
        copies = np.cumsum(repeat)[duplicates] - 1  # position of each second copy
        out["_key"][copies] = n + np.arange(len(duplicates))
        faults.append(("duplicate_row", out["_key"][copies], "exact copy of the row above"))
    return out, faults


def _applies(
    kind: str, t: Table, dataset: Dataset, i: int, month: tuple[np.datetime64, np.datetime64]
) -> bool:
    if kind == "invalid_nhs_number":
        return "nhs_number" in t
    if kind == "end_before_start" and dataset == "restrictive_interventions":
        return bool(month[0] <= t["_start"][i] < month[1])  # stays in month after the change
    return kind != "missing_ward_code" or "ward_code" in t


def _apply(
    kind: str, t: Table, dataset: Dataset, d: Dialect, i: int, rng: np.random.Generator
) -> str:
    if kind == "invalid_intervention_type":
        t["intervention_type"][i] = value = str(rng.choice(BAD_INTERVENTION_TYPES))
        return f"intervention_type {value!r}"
    if kind == "invalid_ethnic_category":
        t["ethnic_category"][i] = value = str(rng.choice(BAD_ETHNIC_CATEGORIES))
        return f"ethnic_category {value!r}"
    if kind == "end_before_start" and dataset == "restrictive_interventions":
        back = np.timedelta64(int(rng.integers(120, 3 * 1440)), "m")
        t["end"][i] = d.datetime(t["_start"][i : i + 1] - back)[0]
        return "end before start"
    if kind == "end_before_start":
        t["stay_end"][i] = d.date(
            t["_stay_start"][i : i + 1] - np.timedelta64(int(rng.integers(2, 30)), "D")
        )[0]
        return "stay_end before stay_start"
    if kind in _MISSING:
        t[_MISSING[kind]][i] = ""
        return f"{_MISSING[kind]} blank"
    if kind == "invalid_nhs_number":
        t["nhs_number"][i] = d.nhs(nhs_numbers.corrupt(t["_nhs"][i : i + 1], rng))[0]
        return "check digit changed"
    return ""
