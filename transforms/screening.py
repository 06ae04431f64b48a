"""Screening for patient identifiers in the wrong place: the one function every quoted value and
every non-identifier cell goes through (design.md §5, "Patient identifiers").

Two shapes count as an identifier:
- NHS-number-like: ten digits, either run together or in the printed 3-3-4 groups with a space
  (or several), a dash, a dot, a slash or an underscore between the groups. The check digit is
  not looked at: a mistyped NHS number is still somebody's NHS number.
- the trust's local patient id: `TrustConfig.local_patient_id_pattern`, a regular expression
  (for example `RIO\\d{7}`), matched as a whole word (not inside a longer run of letters and
  digits).

`identifier_mask` finds the cells of a column that hold either shape anywhere in the text (read
step: a key column holding one quarantines the row, any other column has the cell replaced by
`MARKER`); `screen_text` replaces each occurrence in a sentence by `MARKER` before the sentence is
stored, logged or shown (quarantine details, warnings, rejection reasons, feedback).
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Final

import numpy as np
import pandas as pd

# Upper case without spaces: survives the code spelling rules (upper-casing, LSOA space removal)
# so that a withheld cell stays recognisable after mapping.
MARKER: Final = "[WITHHELD-IDENTIFIER]"
_SEP: Final = r"(?:\s+|[./_-])?"
NHS_LIKE: Final = rf"(?<![0-9])[0-9]{{3}}{_SEP}[0-9]{{3}}{_SEP}[0-9]{{4}}(?![0-9])"


@lru_cache(maxsize=64)
def compiled(local_pattern: str | None) -> re.Pattern[str]:
    """The combined pattern: NHS-number-like, or the local id pattern as a whole word."""
    if not local_pattern:
        return re.compile(NHS_LIKE)
    return re.compile(f"{NHS_LIKE}|(?<![A-Za-z0-9])(?:{local_pattern})(?![A-Za-z0-9])")


def identifier_mask(text: pd.Series, local_pattern: str | None = None) -> pd.Series:
    """True for each cell holding an identifier-like value anywhere in its text (NA is False).

    Checked once per distinct value, then spread back to the rows by position.
    """
    positions, distinct = pd.factorize(text)
    if len(distinct) == 0:
        return pd.Series(False, index=text.index)
    values = pd.Series(np.asarray(distinct, dtype=object), dtype="str")
    hits = values.str.contains(compiled(local_pattern).pattern, regex=True, na=False)
    flags = np.append(hits.to_numpy(dtype=bool), False)[positions]
    return pd.Series(flags, index=text.index)


def screen_text(text: str, local_pattern: str | None = None) -> str:
    """`text` with every identifier-like value replaced by `MARKER`."""
    return compiled(local_pattern).sub(MARKER, text)


def screen_optional(text: str | None, local_pattern: str | None = None) -> str | None:
    return None if text is None else screen_text(text, local_pattern)
