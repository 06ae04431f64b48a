"""NHS number checks and the keyed pseudonym that replaces patient identifiers at read time.

Grain: one value per source row. The NHS number check is the NHS Data Dictionary modulus 11
algorithm: weights 10..2 on the first nine digits, check digit = 11 - (sum mod 11), where 11
becomes 0 and 10 means the number can never be valid.

`patient_key` is HMAC-SHA256 under the collaborative's secret key, so the same person gets the
same key across trusts and months (when an NHS number is valid) without the number ever being
stored; a different key gives unrelated pseudonyms. Nothing here logs or echoes an identifier.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Final

import numpy as np
import pandas as pd

_SEPARATORS: Final = r"[\s\-]"
_TEN_DIGITS: Final = r"[0-9]{10}"
_WEIGHTS: Final = np.arange(10, 1, -1)
KEY_HEX_CHARS: Final = 32  # 128 bits: collision-free at national scale, short enough to index


def normalise_nhs_number(text: object) -> str | None:
    """The number without spaces or dashes; None when nothing is left (absent)."""
    if text is None or text is pd.NA or (isinstance(text, float) and np.isnan(text)):
        return None
    cleaned = "".join(ch for ch in str(text) if not ch.isspace() and ch != "-")
    return cleaned or None


def is_valid_nhs_number(number: str) -> bool:
    """True for ten digits whose last digit is the modulus 11 check digit of the first nine."""
    if len(number) != 10 or not number.isascii() or not number.isdigit():
        return False
    total = sum(int(d) * w for d, w in zip(number[:9], range(10, 1, -1), strict=True))
    check = 11 - total % 11
    if check == 10:
        return False
    return (0 if check == 11 else check) == int(number[9])


def _normalised(series: pd.Series) -> pd.Series:
    cleaned = series.astype("str").str.replace(_SEPARATORS, "", regex=True)
    return cleaned.where(cleaned.str.len() > 0)


def _valid_mask(cleaned: pd.Series) -> pd.Series:
    """Vectorised modulus 11 over a series of cleaned numbers (NA allowed)."""
    ten = cleaned.str.fullmatch(_TEN_DIGITS, na=False).to_numpy(dtype=bool)
    valid = np.zeros(len(cleaned), dtype=bool)
    if ten.any():
        text = "".join(cleaned.to_numpy(dtype=object)[ten])
        digits = (np.frombuffer(text.encode("ascii"), dtype=np.uint8) - 48).reshape(-1, 10)
        check = 11 - (digits[:, :9].astype(np.int64) @ _WEIGHTS) % 11
        check = np.where(check == 11, 0, check)
        valid[ten] = (check != 10) & (check == digits[:, 9])
    return pd.Series(valid, index=cleaned.index)


def nhs_number_status(series: pd.Series) -> pd.Series:
    """Per row "valid", "invalid" or "absent" (blank after removing spaces and dashes)."""
    cleaned = _normalised(series)
    status = np.where(_valid_mask(cleaned), "valid", np.where(cleaned.isna(), "absent", "invalid"))
    return pd.Series(status, index=series.index, dtype="str")


def pseudonymise(nhs: pd.Series, local_id: pd.Series, trust_code: str, key: bytes) -> pd.Series:
    """Keyed pseudonym per row: from the NHS number when valid, else the trust's local id, else NA.

    A local id is scoped by the trust (`local:<trust>:<id>`) because local ids are only unique
    within one trust. Each distinct token is hashed once, so repeat patients cost nothing.
    """
    cleaned = _normalised(nhs)
    local = local_id.astype("str").str.strip()
    local = local.where(local.str.len() > 0)
    token = pd.Series(pd.NA, index=nhs.index, dtype="str")
    token = token.mask(local.notna(), "local:" + trust_code + ":" + local)
    token = token.mask(_valid_mask(cleaned), "nhs:" + cleaned)
    digests = {t: _digest(t, key) for t in token.dropna().unique()}
    return token.map(digests).astype("str")


def _digest(token: str, key: bytes) -> str:
    return hmac.new(key, token.encode("utf-8"), hashlib.sha256).hexdigest()[:KEY_HEX_CHARS]


KEY_CHECK_LABEL: Final = b"mhsip pseudonymisation key check v1"


def key_fingerprint(key: bytes) -> str:
    """A check value of the key (HMAC of a fixed label): equal for equal keys, and reveals
    nothing of the key or of any pseudonym (the label is never a patient token)."""
    return hmac.new(key, KEY_CHECK_LABEL, hashlib.sha256).hexdigest()
