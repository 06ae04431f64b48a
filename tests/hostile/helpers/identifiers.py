"""Every patient identifier in a landing zone, for tests that search outputs for leaks."""

from __future__ import annotations

from pathlib import Path

from transforms.canonical import DATASETS
from transforms.errors import FileRejected
from transforms.read import read_table
from transforms.trust_config import Registry

MIN_LENGTH = 6  # shorter values (e.g. "12") would match unrelated text


def identifiers_in(landing: Path, registry: Registry) -> set[str]:
    """NHS numbers (as sent and without spaces or dashes) and local patient ids in every file."""
    found: set[str] = set()
    for path in sorted(landing.glob("*/*/*")):
        trust_code, _month, _name = path.relative_to(landing).parts
        if trust_code not in registry.trusts or not path.is_file() or path.is_symlink():
            continue
        trust = registry.trust(trust_code)
        try:
            raw = read_table(path.read_bytes(), path.name, trust)
        except FileRejected:
            continue
        for dataset in DATASETS:
            for canonical in ("nhs_number", "local_patient_id"):
                header = trust.header_for(dataset, canonical)
                if header in raw.columns:
                    values = raw[header].dropna().astype(str)
                    found |= set(values) | set(values.str.replace(r"[\s-]", "", regex=True))
    return {i for i in found if len(i) >= MIN_LENGTH}
