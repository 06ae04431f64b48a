"""The SYNTHETIC IMD reference table written beside generated extracts.

`<out>/_reference/imd_lsoa.csv`, columns `lsoa`, `imd_decile` (1 = most deprived): one row per
synthetic LSOA code any generated trust can use. These are NOT the English Indices of
Deprivation: the codes (E019xxxxx) are numbered above any real LSOA and the deciles are drawn at
random per trust. A README beside the CSV says so, so nobody mistakes it for the real table.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

REFERENCE = "_reference/imd_lsoa.csv"
_README = """SYNTHETIC DATA - NOT THE ENGLISH INDICES OF DEPRIVATION.
imd_lsoa.csv was written by the mhsip synthetic generator (synthetic/imd.py). Its LSOA codes
(E019xxxxx) are made up and numbered above any real LSOA; its IMD deciles are random draws.
Use it only with generated extracts. For real data load the published IoD table instead.
"""


def write_reference(out: Path, pools: list[tuple[np.ndarray, np.ndarray]]) -> str:
    """Write the table for the given (codes, deciles) pools; returns its path relative to out."""
    rows = sorted(
        {(str(c), int(d)) for codes, deciles in pools for c, d in zip(codes, deciles, strict=True)}
    )
    target = out / REFERENCE
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(
        "lsoa,imd_decile\n" + "".join(f"{c},{d}\n" for c, d in rows), encoding="utf-8"
    )
    (target.parent / "README.txt").write_text(_README, encoding="utf-8")
    return REFERENCE
