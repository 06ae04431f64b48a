"""Writing values the way one trust writes them: the inverse of its YAML, plus its habits.

Grain: one `Dialect` per trust. Codes become the trust's local label where its `values` map has
one (the first label listed for a code wins) or the national label for fields the trust's habits
say it writes as labels (the first label for the code in the shared synonyms); otherwise the
national code. Date-times are written with the trust's first configured format, or kept as
`datetime64` for Excel and Parquet trusts that send typed cells. Blank is "" (or NaT).
"""

from __future__ import annotations

import numpy as np

from synthetic import nhs_numbers
from synthetic.habits import Habits
from transforms.canonical import FIELDS, Dataset
from transforms.trust_config import CodeMaps, TrustConfig

_PAD2 = np.array([f"{i:02d}" for i in range(100)])
_TOKENS = ("%Y", "%m", "%d", "%H", "%M", "%S")


def strftime(values: np.ndarray, fmt: str) -> np.ndarray:
    """Vectorised strftime for %Y %m %d %H %M %S and literal text; NaT -> ""."""
    minutes = values.astype("datetime64[m]")
    nat = np.isnat(minutes)
    minutes = np.where(nat, np.datetime64("2000-01-01T00:00"), minutes)
    day = minutes.astype("datetime64[D]")
    month = day.astype("datetime64[M]")
    parts = {
        "%Y": (month.astype("datetime64[Y]").astype(np.int64) + 1970).astype(str),
        "%m": _PAD2[month.astype(np.int64) % 12 + 1],
        "%d": _PAD2[(day - month).astype(np.int64) + 1],
        "%H": _PAD2[(minutes - day).astype(np.int64) // 60],
        "%M": _PAD2[(minutes - day).astype(np.int64) % 60],
        "%S": np.full(values.shape, "00"),
    }
    out = np.full(values.shape, "", dtype="<U32")
    i = 0
    while i < len(fmt):
        token = fmt[i : i + 2]
        if token in _TOKENS:
            out = np.strings.add(out, parts[token])
            i += 2
        else:
            out = np.strings.add(out, fmt[i])
            i += 1
    return np.where(nat, "", out)


class Dialect:
    def __init__(self, trust: TrustConfig, codes: CodeMaps, habits: Habits) -> None:
        self.trust, self.habits = trust, habits
        self.native = trust.format in ("xlsx", "parquet") and habits.native_dates
        self._labels: dict[str, dict[str, str]] = {}
        for field in set(trust.values) | set(habits.shared_labels):
            source = trust.values.get(field) or codes.lookup(field)
            inverse: dict[str, str] = {}
            for label, code in source.items():
                inverse.setdefault(code, label)
            self._labels[field] = inverse

    def fields(self, dataset: Dataset) -> list[str]:
        """Canonical fields this trust sends for the dataset, in canonical order."""
        skip = set(self.habits.omit)
        if self.habits.identifiers == "nhs":
            skip.add("local_patient_id")
        elif self.habits.identifiers == "local":
            skip.add("nhs_number")
        return [f.name for f in FIELDS[dataset] if f.name not in skip]

    def code(self, field: str, values: np.ndarray) -> np.ndarray:
        inverse = self._labels.get(field)
        if not inverse:
            return values
        uniques, back = np.unique(values, return_inverse=True)
        return np.array([inverse.get(u, u) for u in uniques.tolist()], dtype=str)[back]

    def datetime(self, values: np.ndarray) -> np.ndarray:
        if self.native:
            return values.astype("datetime64[m]")
        return strftime(values, self.trust.datetime_formats[0])

    def date(self, values: np.ndarray) -> np.ndarray:
        if self.native:
            return values.astype("datetime64[D]")
        return strftime(values, self.trust.date_formats[0])

    def nhs(self, digits: np.ndarray) -> np.ndarray:
        return nhs_numbers.spaced(digits) if self.habits.nhs_spaced else digits

    @staticmethod
    def blank_where(mask: np.ndarray, values: np.ndarray) -> np.ndarray:
        """Copy of `values` with blanks ("" or NaT) where `mask`."""
        out = values.copy()
        out[mask] = np.datetime64("NaT") if values.dtype.kind == "M" else ""
        return out
