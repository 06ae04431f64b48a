"""A small published warehouse built the way the pipeline builds it: facts and outcomes loaded
through `Warehouse.replace_partition`, then dimensions and marts refreshed, then published.

Two trusts over 16 months (enough for XmR charts, not a run chart), two wards each: RX2 with a
quarantine-heavy February 2024 and a rejected resubmission in March 2024; RNU clean. Patients are
pseudonyms (64-hex strings) only; no NHS number exists anywhere in the inputs.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from pathlib import Path

import pandas as pd

from tests.warehouse.helpers import intervention, loaded, rejected, ri_frame, stay, ws_frame
from transforms.trust_config import (
    Change,
    CodeMaps,
    CollaborativeConfig,
    Registry,
    SpcSettings,
    TargetFromBaseline,
    TrustConfig,
)
from warehouse.partition_load import PartitionLoad
from warehouse.store import Warehouse

RI, WS = "restrictive_interventions", "ward_stays"


# (ethnic group, category code, age band, age, IMD decile): five kinds of patient.
PEOPLE = [
    ("White", "A", "35-44", 40, 9),
    ("Black or Black British", "M", "18-24", 20, 1),
    ("Asian or Asian British", "H", "25-34", 30, 3),
    ("White", "A", "45-54", 50, 6),
    ("Not Stated", "Z", "35-44", 38, 2),
]


QUARANTINE_RULE = "nhs_number_invalid"


INJECTION_DETAIL = '=HYPERLINK("x") given as the reason code'


@dataclass(frozen=True)
class Published:
    path: Path
    registry: Registry
    patient_keys: frozenset[str]


def month(i: int) -> date:
    return date(2023 + i // 12, i % 12 + 1, 1)


def key(i: int) -> str:
    return hashlib.sha256(f"synthetic-patient-{i}".encode()).hexdigest()


def _facts(trust: str, m: date, i: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    count = 12 + (i % 3) * 2 + (8 if trust == "RX2" and i >= 12 else 0)
    ri, ws = [], []
    for p, (group, code, band, age, imd) in enumerate(PEOPLE):
        person = {"ethnic_group": group, "ethnic_category_code": code, "age_band": band,
                  "age_years": age, "imd_decile": imd}  # fmt: skip
        patient = key(p + (100 if trust == "RNU" else 0))
        person["ward_code"] = "W2" if p % 2 else "W1"  # two wards per trust
        ws.append(stay(trust, m, f"S{p}", 180 + 20 * p, patient=patient, **person))
        share = count // len(PEOPLE) + (2 if group == "Black or Black British" else 0)
        for n in range(share):
            type_code = ("01", "07", "05", "14")[n % 4]
            ri.append(intervention(trust, m, f"I{p}-{n}", patient=patient, type_code=type_code,
                                   source_row_number=2 + len(ri), **person))  # fmt: skip
    return ri_frame(ri), ws_frame(ws)


def _quarantine(rows: int) -> pd.DataFrame:
    records = [
        {
            "source_row_number": 40 + r,
            "rule": QUARANTINE_RULE,
            "detail": "NHS number fails the modulus-11 check",
        }
        for r in range(rows)
    ]
    records.append({"source_row_number": 90, "rule": "reason_unrecognised",
                    "detail": INJECTION_DETAIL})  # fmt: skip
    return pd.DataFrame(records)


CHANGE_LABEL = "Safewards launched"  # RX2's ward W1, from month(12): the rate step there


def _trust(code: str, name: str) -> TrustConfig:
    if code != "RX2":
        return TrustConfig(ods_code=code, name=name, region="Y59", format="csv")
    change = Change.model_validate(
        {"from": f"{month(12):%Y-%m}", "ward": "W1", "label": CHANGE_LABEL, "recalculate": True}
    )
    return TrustConfig(ods_code=code, name=name, region="Y59", format="csv", wards=["W1"],
                       changes=[change])  # fmt: skip


def report_registry() -> Registry:
    return Registry(
        trusts={"RX2": _trust("RX2", "Sussex Partnership"), "RNU": _trust("RNU", "Oxford Health"),
                "RWX": _trust("RWX", "Berkshire Healthcare")},
        codes=CodeMaps(maps={}),
        # the collaborative's target: 25% below the first year (2023), fixed once
        collaborative=CollaborativeConfig(spc=SpcSettings(
            target=TargetFromBaseline(reduce_by=0.25, baseline="2023-01..2023-12"))),
    )  # fmt: skip


def load_report_warehouse(wh: Warehouse, registry: Registry) -> None:
    """Load the report's two trusts x 16 months into `wh` (either engine), then refresh."""
    for trust in ("RX2", "RNU"):
        for i in range(16):
            m = month(i)
            ri, ws = _facts(trust, m, i)
            extra = 13 if (trust, i) == ("RX2", 13) else 0
            sid = f"{trust}-{m:%Y-%m}"
            sha = hashlib.sha256(sid.encode()).hexdigest()
            wh.replace_partition(PartitionLoad(trust, m, [
                loaded(WS, f"{sid}-ws", ws, sha=sha[:-2] + "ws"),
                loaded(RI, f"{sid}-ri", ri, quarantined=extra,
                       quarantine=_quarantine(12) if extra else None, sha=sha[:-2] + "ri"),
            ]))  # fmt: skip
    m = month(14)
    wh.replace_partition(PartitionLoad("RX2", m, [
        replace(rejected(RI, f"RX2-{m:%Y-%m}-ri-v2", rows=3, sha="f" * 64,
                         received_at=datetime(2024, 4, 20, tzinfo=UTC)),
                rejection_reason="=1+2 rows against a median of 100")]))  # fmt: skip
    wh.refresh_dimensions(registry)
    wh.refresh_marts(None)


# Advance widths of Arial glyphs (em), as in its hmtx table: what a label occupies on screen.
ARIAL_EM = {**dict.fromkeys("0123456789", 0.556), ".": 0.278, ",": 0.278, "-": 0.333, " ": 0.278}


def overprinted_labels(svg_text: str) -> list[tuple[str, str]]:
    """Pairs of tick labels in any one axis of `svg_text` whose boxes (Arial widths, the
    font's height) overlap: what a reader sees as overprinted text."""
    found = []
    for axis in re.findall(r'<g class="axis [xy]-axis">(.*?)</g>', svg_text, flags=re.S):
        boxes = []
        for x, y, size, anchor, label in re.findall(
            r'<text x="([\d.-]+)" y="([\d.-]+)" font-size="(\d+)" text-anchor="(\w+)"'
            r"[^>]*>([^<]*)</text>",
            axis,
        ):
            width = sum(ARIAL_EM.get(c, 0.6) for c in label) * float(size)
            left = {"start": 0.0, "middle": width / 2, "end": width}[anchor]
            x0, top = float(x) - left, float(y) - float(size)
            boxes.append((label, x0, x0 + width, top, float(y)))
        for i, (a, ax0, ax1, at, ab) in enumerate(boxes):
            for b, bx0, bx1, bt, bb in boxes[i + 1 :]:
                if ax0 < bx1 and bx0 < ax1 and at < bb and bt < ab:
                    found.append((a, b))
    return found
