"""Map a raw frame (the trust's headers and codes) to a canonical dataset (design.md §3.4).

Grain: one row per raw row, unchanged in number and order. Columns become exactly
`canonical.mapped_columns(dataset)`: renamed from the trust's headers, coded values translated to
national codes (trust's own map, then the shared synonyms, then as given), dates written back as
ISO text, and the patient identifiers replaced by `patient_key` and `nhs_number_status`.

Every cell of every column other than the two identifiers is screened for an identifier-like
value (`transforms.screening`: NHS-number-like, or the trust's local id pattern) before anything
else sees it, and such a cell is replaced by `screening.MARKER`, so no message can quote it. In a
key column (`KEY_COLUMNS`) the marker quarantines the row (rule `identifier_in_key_column`);
elsewhere the rows are counted in `MappingResult.withheld` for the `identifier_withheld` warning.

Nothing is rejected row by row here: a value that does not map is kept as given (so validation
can quote it) and counted in `MappingResult.unmapped`, which drives the "unmapped local code"
warning and the row quarantine. Only structural problems (a required column missing) reject
the file.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Final

import numpy as np
import pandas as pd

from transforms import codes as national
from transforms.canonical import (
    FIELDS,
    IDENTIFIER_COLUMNS,
    NHS_NUMBER_STATUS,
    PATIENT_KEY,
    SOURCE_ROW,
    Dataset,
    mapped_columns,
)
from transforms.derive import split_files, stack_files
from transforms.errors import FileRejected
from transforms.identifiers import nhs_number_status, pseudonymise
from transforms.screening import MARKER, identifier_mask
from transforms.trust_config import CodeMaps, TrustConfig

# Hospital Bed Type (MH) codes (domain.md §1.9); codes.py has no set for them, so it lives here.
BED_TYPES: Final = frozenset(str(c) for c in (*range(10, 16), 17, *range(19, 41)))
ETHNIC_LETTERS: Final = frozenset(c for c in national.ETHNIC_CATEGORIES if len(c) == 1)
_FLAGS: Final = (
    "injury_patient", "injury_staff", "injury_other", "post_incident_review_patient", "lda_flag",
)  # fmt: skip

# The national values each coded field should hold after mapping (lsoa is checked by shape,
# in standardisation, not by list).
NATIONAL: Final[dict[str, frozenset[str]]] = {
    "intervention_type": frozenset(national.INTERVENTION_TYPES),
    "ethnic_category": frozenset(national.ETHNIC_CATEGORIES),
    "gender": frozenset(national.STATED_GENDER),
    "gender_identity": frozenset(national.GENDER_IDENTITY),
    "ward_type": frozenset(national.WARD_TYPES),
    "ward_security_level": frozenset(national.WARD_SECURITY_LEVELS),
    "bed_type": BED_TYPES,
    "reason": frozenset(national.INTERVENTION_REASONS),
    **dict.fromkeys(_FLAGS, national.YES_NO),
}
# Columns that identify a row; one holding an identifier-like value cannot be loaded at all.
KEY_COLUMNS: Final = frozenset({"incident_id", "intervention_id", "ward_stay_id", "ward_code"})
_TWO_DIGIT: Final = frozenset({"intervention_type", "ward_type"})
_ISO_DATE: Final = r"[0-9]{4}-[0-9]{2}-[0-9]{2}"
_ISO_DATETIME: Final = _ISO_DATE + r"(?:[ T][0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]{1,6})?)?)?"


@dataclass(frozen=True)
class MappingResult:
    """The mapped frame and, per coded field, each value (as the trust sent it) that did not
    map to a national code, with its row count."""

    frame: pd.DataFrame
    unmapped: dict[str, dict[str, int]] = field(default_factory=dict)
    # non-key field -> source row numbers whose cell was withheld as identifier-like
    withheld: dict[str, list[int]] = field(default_factory=dict)


def map_to_canonical(
    raw: pd.DataFrame, dataset: Dataset, trust: TrustConfig, codes: CodeMaps, key: bytes
) -> MappingResult:
    """Canonical frame of one trust file; see the module docstring for the rules."""
    result = map_many([raw], dataset, trust, codes, key)[0]
    if isinstance(result, FileRejected):
        raise result
    return result


def map_many(
    raws: Sequence[pd.DataFrame], dataset: Dataset, trust: TrustConfig, codes: CodeMaps, key: bytes
) -> list[MappingResult | FileRejected]:
    """`map_to_canonical` of each of one trust's files, the rejection in place of a result for a
    file that lacks a required column (returned, not raised, so the other files go on).

    Columns are located per file (each file has its own headers); the column work runs once on
    the stacked rows of the files that passed, and the unmapped counts are taken per file.
    """
    located: list[dict[str, str] | FileRejected] = []
    for raw in raws:
        try:
            located.append(_locate_columns(raw, dataset, trust))
        except FileRejected as exc:
            located.append(exc)
    passed = [
        (raw, columns)
        for raw, columns in zip(raws, located, strict=True)
        if isinstance(columns, dict)
    ]
    mapped = iter(_map_columns(passed, dataset, trust, codes, key) if passed else [])
    return [columns if isinstance(columns, FileRejected) else next(mapped) for columns in located]


def _map_columns(
    files: list[tuple[pd.DataFrame, dict[str, str]]],
    dataset: Dataset,
    trust: TrustConfig,
    codes: CodeMaps,
    key: bytes,
) -> list[MappingResult]:
    """Map the located columns of several files at once, then cut the result back per file."""
    stacked, offsets = stack_files([_canonical_text(raw, columns) for raw, columns in files])
    missing = pd.Series(pd.NA, index=stacked.index, dtype="str")
    specs = FIELDS[dataset]
    cleaned = _column_wise(_clean, {s.name: stacked.get(s.name, missing) for s in specs})
    screened = [s.name for s in specs if not s.identifier]
    pattern = trust.local_patient_id_pattern
    hits = _column_wise(lambda t: identifier_mask(t, pattern), {n: cleaned[n] for n in screened})
    withheld: list[dict[str, list[int]]] = [{} for _ in files]
    for name, hit in hits.items():
        if hit.any():
            cleaned[name] = cleaned[name].mask(hit, MARKER)
            if name not in KEY_COLUMNS:
                _record_withheld(withheld, name, hit, stacked[SOURCE_ROW], offsets)
    out: dict[str, pd.Series] = {}
    unmapped: list[dict[str, dict[str, int]]] = [{} for _ in files]
    for spec in specs:
        text = cleaned[spec.name]
        if spec.name in NATIONAL:
            mapped = map_codes(text, spec.name, trust.values.get(spec.name, {}), codes)
            for number, counts in _unmapped_counts(text, mapped, NATIONAL[spec.name], offsets):
                unmapped[number][spec.name] = counts
            text = mapped
        elif spec.name == "lsoa":
            text = text.str.replace(r"\s+", "", regex=True).str.upper()
        elif spec.kind == "date":
            text = to_iso(text, trust.date_formats + trust.datetime_formats, "%Y-%m-%d")
        elif spec.kind == "datetime":
            text = to_iso(text, trust.datetime_formats + trust.date_formats, "%Y-%m-%d %H:%M:%S")
        out[spec.name] = text
    nhs, local = out["nhs_number"], out["local_patient_id"]
    out[NHS_NUMBER_STATUS] = nhs_number_status(nhs)
    out[PATIENT_KEY] = pseudonymise(nhs, local, trust.ods_code, key)
    out[SOURCE_ROW] = stacked[SOURCE_ROW].astype("int64")
    frame = pd.DataFrame({name: out[name] for name in mapped_columns(dataset)})
    return [
        MappingResult(part, counts, rows)
        for part, counts, rows in zip(split_files(frame, offsets), unmapped, withheld, strict=True)
    ]


def _record_withheld(
    withheld: list[dict[str, list[int]]], name: str, hit: pd.Series, rows: pd.Series,
    offsets: list[int],
) -> None:  # fmt: skip
    """Add the source rows of `hit` to `withheld[file][name]` for each stacked file."""
    flags = hit.to_numpy(dtype=bool)
    for number, (start, end) in enumerate(itertools.pairwise(offsets)):
        if flags[start:end].any():
            part = rows.iloc[start:end][flags[start:end]]
            withheld[number][name] = [int(r) for r in part]


def _canonical_text(raw: pd.DataFrame, columns: dict[str, str]) -> pd.DataFrame:
    """The file's located columns as text under their canonical names, and its source row
    numbers. A field the file lacks is added as missing once the files are stacked."""
    frame = raw[list(columns.values())].set_axis(list(columns), axis=1)
    not_text = {name: "str" for name, dtype in frame.dtypes.items() if dtype != "str"}
    frame = frame.astype(not_text) if not_text else frame
    return frame.assign(**{SOURCE_ROW: _source_rows(raw)})


def _normal_header(header: str) -> str:
    return " ".join(str(header).split()).casefold()


def _locate_columns(raw: pd.DataFrame, dataset: Dataset, trust: TrustConfig) -> dict[str, str]:
    """Canonical field -> raw column, matching headers ignoring case and runs of spaces."""
    by_normal = {_normal_header(c): c for c in raw.columns if c != SOURCE_ROW}
    found: dict[str, str] = {}
    missing: list[str] = []
    for spec in FIELDS[dataset]:
        header = trust.header_for(dataset, spec.name)
        if _normal_header(header) in by_normal:
            found[spec.name] = by_normal[_normal_header(header)]
        elif spec.required:
            missing.append(f"{spec.name} (expected a column headed {header!r})")
    if not any(name in found for name in IDENTIFIER_COLUMNS):
        expected = " or ".join(repr(trust.header_for(dataset, n)) for n in IDENTIFIER_COLUMNS)
        missing.append(f"a patient identifier (expected a column headed {expected})")
    if missing:
        raise FileRejected(
            "missing_required_columns",
            f"required column(s) missing: {'; '.join(missing)}. Columns found: "
            f"{', '.join(_shown_header(c) for c in raw.columns if c != SOURCE_ROW) or 'none'}.",
        )
    return found


def _shown_header(header: str) -> str:
    """A found header, quoted for the trust; withheld when it looks like a value (mostly
    digits: a patient id or NHS number in a data row read as the header)."""
    text = str(header)
    digits = sum(ch.isdigit() for ch in text)
    return "(a header that looks like a value, withheld)" if digits * 2 > len(text) else repr(text)


def _column_wise(
    function: Callable[[pd.Series], pd.Series], columns: dict[str, pd.Series]
) -> dict[str, pd.Series]:
    """`function` of each column (all on one index), for a function that looks at each value
    alone: computed in ONE call over the columns end to end, then cut back per column, because
    pandas' fixed cost per call, not the rows, is most of the price at a file's size."""
    if not columns:
        return {}
    index = next(iter(columns.values())).index
    result = function(pd.concat(columns.values(), ignore_index=True))
    rows = len(index)
    return {
        name: result.iloc[i * rows : (i + 1) * rows].set_axis(index)
        for i, name in enumerate(columns)
    }


def _clean(column: pd.Series) -> pd.Series:
    """Trimmed text, blank as missing (a field absent from a file is missing on its rows)."""
    text = column.astype("str").str.strip()
    return text.where(text.str.len() > 0)


def _source_rows(raw: pd.DataFrame) -> pd.Series:
    if SOURCE_ROW in raw.columns:
        return raw[SOURCE_ROW].astype("int64")
    return pd.Series(range(2, len(raw) + 2), index=raw.index, dtype="int64")


def _folded(mapping: dict[str, str]) -> dict[str, str]:
    return {str(k).strip().casefold(): str(v).strip() for k, v in mapping.items()}


def map_codes(
    text: pd.Series, name: str, trust_values: dict[str, str], shared: CodeMaps
) -> pd.Series:
    """National code per row: trust map, then shared synonyms (both case-insensitive, trimmed),
    then the value as given; then the field's normal form (two digits, upper case, first
    character of an ethnic category). Missing stays missing.

    Coded fields hold a handful of distinct values, so the work is done once per distinct value
    and spread back to the rows by position (a month of a million rows costs the same as ten).
    """
    positions, distinct = pd.factorize(text)
    own, synonyms = _folded(trust_values), _folded(shared.lookup(name))
    # plain dict look-ups over the few distinct values (str.casefold is what pandas' casefold
    # calls per value); the first map that knows the folded value wins, else the value as given
    folded = [value.casefold() for value in distinct]
    chosen = [own.get(f, synonyms.get(f, value)) for f, value in zip(folded, distinct, strict=True)]
    national = normalise_code(pd.Series(chosen, dtype="str"), name)
    lookup = np.array([*(None if pd.isna(v) else v for v in national), None], dtype=object)
    return pd.Series(lookup[positions], index=text.index, dtype="str")


def normalise_code(text: pd.Series, name: str) -> pd.Series:
    """Spelling rules that make an equivalent local spelling national (`"1"` -> `"01"`, ...)."""
    text = text.astype("str").str.strip()
    if name in _TWO_DIGIT:
        return text.mask(text.str.fullmatch(r"[0-9]", na=False), "0" + text)
    upper = text.str.upper()
    if name == "ethnic_category":
        first = upper.str.slice(0, 1)
        return upper.mask(first.isin(ETHNIC_LETTERS), first)
    return upper


def _unmapped_counts(
    given: pd.Series, mapped: pd.Series, national: Iterable[str], offsets: list[int]
) -> Iterator[tuple[int, dict[str, int]]]:
    """(file number, {value as given: rows}) for each stacked file with a value that did not
    map to a national code; files without one are skipped, which is most files."""
    bad = (mapped.notna() & ~mapped.isin(list(national))).to_numpy(dtype=bool)
    if not bad.any():
        return
    for number, (start, end) in enumerate(itertools.pairwise(offsets)):
        if bad[start:end].any():
            values = given.iloc[start:end][bad[start:end]]
            yield number, {str(k): int(v) for k, v in values.value_counts(sort=True).items()}


def to_iso(text: pd.Series, formats: list[str], out_format: str) -> pd.Series:
    """ISO text for every value one of `formats` (then ISO itself) parses; others unchanged."""
    parsed = pd.Series(pd.NaT, index=text.index, dtype="datetime64[us]")
    for fmt in formats:
        todo = parsed.isna() & text.notna()
        if not todo.any():
            break
        parsed[todo] = pd.to_datetime(text[todo], format=fmt, errors="coerce").astype(
            "datetime64[us]"
        )
    iso = parsed.isna() & text.str.fullmatch(_ISO_DATETIME, na=False)
    if iso.any():
        parsed[iso] = pd.to_datetime(text[iso], format="ISO8601", errors="coerce").astype(
            "datetime64[us]"
        )
    return parsed.dt.strftime(out_format).astype("str").fillna(text)
