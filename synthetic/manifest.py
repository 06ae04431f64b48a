"""What a generator run wrote and which faults it planted, so tests can check each is caught.

Grain: `FileRecord` one per file written; `FaultRecord` one per (file, fault kind), with the
source row numbers affected as a spreadsheet shows them (header row counted, and title rows
above it in Excel: the first data row of a CSV is 2). File-level faults list no rows. `expected`
is the outcome the pipeline should reach: `quarantine_row` (a row that cannot be counted),
`warn_row` (a bad demographic or location field: the row loads as Unknown and the trust is
warned; `synthetic.faults.WARN_RULES` names the rule), `reject_file`, or `accept` (a nil
return). Written as `<out>/_generator_manifest.json`; the leading "_" keeps it out of discovery.
The manifest never holds a patient identifier: faults name the column, not the value.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Literal

from transforms.canonical import Dataset

Expected = Literal["quarantine_row", "warn_row", "reject_file", "accept"]
MANIFEST_NAME = "_generator_manifest.json"


@dataclass(frozen=True)
class FileRecord:
    trust: str
    month: str  # YYYY-MM
    dataset: Dataset
    path: str  # relative to the output folder, "/" separated
    rows: int  # data rows written (header and title rows not counted)


@dataclass(frozen=True)
class FaultRecord:
    kind: str
    trust: str
    month: str
    dataset: Dataset
    file: str  # relative path, as FileRecord.path
    rows: tuple[int, ...]  # source row numbers; () for a whole-file fault
    expected: Expected
    detail: str = ""  # e.g. the column dropped or the value written; never an identifier


@dataclass
class GenerationManifest:
    seed: int
    start: str  # YYYY-MM
    months: int
    trusts: list[str]
    scale: float
    faults_enabled: bool
    imd_reference: str  # relative path of the synthetic IMD table
    files: list[FileRecord] = field(default_factory=list)
    faults: list[FaultRecord] = field(default_factory=list)

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=1, sort_keys=True) + "\n"

    def write(self, out: Path) -> Path:
        target = out / MANIFEST_NAME
        target.write_text(self.to_json(), encoding="utf-8")
        return target


def load_manifest(path: Path) -> GenerationManifest:
    """Read a manifest written by `GenerationManifest.write` (a file or its folder)."""
    if path.is_dir():
        path = path / MANIFEST_NAME
    data = json.loads(path.read_text(encoding="utf-8"))
    files = [FileRecord(**f) for f in data.pop("files")]
    faults = [FaultRecord(**{**f, "rows": tuple(f["rows"])}) for f in data.pop("faults")]
    return GenerationManifest(**data, files=files, faults=faults)
