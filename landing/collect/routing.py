"""Where a collected file belongs: `<ODS>/<YYYY-MM>/<name>` in the landing zone.

The trust comes from who sent it (its MESH sender mailbox, or its folder on an SFTP, S3 or
folder source: `delivery:` in its YAML); the dataset from the trust's file name patterns; the
month from the name (`2024-03`, `202403` or `Mar 2024`, the forms trusts use). Anything that
does not resolve to exactly one trust, dataset and month is a named problem, never a guess.
"""

from __future__ import annotations

import calendar
import fnmatch
import re
from dataclasses import dataclass
from datetime import date

from landing.scan import shown, unsafe_name_reason
from transforms.canonical import DATASETS, Dataset
from transforms.trust_config import Registry

_MONTH_PATTERNS = (
    re.compile(r"(?<!\d)(20\d{2})-?(0[1-9]|1[0-2])(?!\d)"),
    re.compile(r"(?i)(?<![a-z])([a-z]{3})[ _-]?(20\d{2})(?!\d)"),
)
_MONTH_ABBREVIATIONS = {name.lower(): i for i, name in enumerate(calendar.month_abbr) if name}


@dataclass(frozen=True)
class Destination:
    trust_code: str
    month: date
    dataset: Dataset
    name: str

    @property
    def relative_path(self) -> str:
        return f"{self.trust_code}/{self.month:%Y-%m}/{self.name}"


@dataclass(frozen=True)
class Unroutable:
    """Why a collected file has no place in the landing zone (a landing problem's rule)."""

    rule: str
    detail: str


def months_in_name(name: str) -> set[date]:
    found = set()
    for match in _MONTH_PATTERNS[0].finditer(name):
        found.add(date(int(match.group(1)), int(match.group(2)), 1))
    for match in _MONTH_PATTERNS[1].finditer(name):
        month = _MONTH_ABBREVIATIONS.get(match.group(1).lower())
        if month:
            found.add(date(int(match.group(2)), month, 1))
    return found


def trust_by_mailbox(registry: Registry, mailbox: str) -> str | None:
    for code, trust in registry.trusts.items():
        if trust.delivery.mesh_mailbox and trust.delivery.mesh_mailbox.upper() == mailbox.upper():
            return code
    return None


def trust_by_folder(registry: Registry, folder: str) -> str | None:
    for code, trust in registry.trusts.items():
        if trust.delivery_folder == folder:
            return code
    return None


def route(
    registry: Registry, trust_code: str | None, sender: str, name: str
) -> Destination | Unroutable:
    """The landing place of file `name` from `sender` (a mailbox or folder, for messages)."""
    if trust_code is None:
        return Unroutable(
            "unknown_sender", f"'{shown(sender)}' is no trust's sender mailbox or folder"
        )
    reason = unsafe_name_reason(name) if name else "is empty"
    if reason:
        return Unroutable("unsafe_file_name", f"{trust_code}: file name '{shown(name)}' {reason}")
    trust = registry.trust(trust_code)
    hits = [
        d for d in DATASETS if fnmatch.fnmatch(name.lower(), trust.files.for_dataset(d).lower())
    ]
    if len(hits) != 1:
        which = "no dataset file pattern" if not hits else "both dataset file patterns"
        return Unroutable("unrecognised_file", f"{trust_code}: '{shown(name)}' matches {which}")
    months = months_in_name(name)
    if len(months) != 1:
        how = "no month" if not months else "more than one month"
        return Unroutable(
            "no_month_in_name",
            f"{trust_code}: '{shown(name)}' names {how} (YYYY-MM, YYYYMM or 'Mon YYYY')",
        )
    return Destination(trust_code, months.pop(), hits[0], name)
