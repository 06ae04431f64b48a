"""What each synthetic trust looks like: its wards and how often restrictive practice happens.

Grain: one `TrustProfile` per ODS code, one `WardTemplate` per kind of ward. Rates are incidents
per occupied bed day for a reference patient (White British, 35-44, IMD decile 5-6, no LD/autism
flag, adult acute ward) before the multipliers below; they are invented but chosen so that a
trust-month at scale 1 has a few hundred interventions, with the equity gaps the collaborative
exists to close (Black groups, the young, the deprived and people with a learning disability or
autism restrained more often) so the marts and SPC charts have signal to find.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass


@dataclass(frozen=True)
class WardTemplate:
    ward_type: str  # MHSDS ward type code
    security: str  # ward security level 0-3
    bed_type: str  # Hospital Bed Type (MH) code
    beds: int  # at scale 1
    los_median_days: float  # ward stay length: lognormal median ...
    los_sigma: float  # ... and shape
    age: tuple[int, int, int]  # age at admission, years: (lowest, most common, highest)
    male_share: float
    lda_share: float  # share of patients with the learning disability / autism flag
    rate: float  # restrictive-practice multiplier for the ward kind


WARD_TEMPLATES: dict[str, WardTemplate] = {
    "acute": WardTemplate("03", "0", "10", 18, 25, 0.9, (18, 32, 70), 0.55, 0.04, 1.0),
    "picu": WardTemplate("03", "0", "12", 10, 14, 0.8, (18, 28, 60), 0.8, 0.06, 3.0),
    "older": WardTemplate("06", "0", "11", 16, 40, 0.7, (65, 78, 96), 0.45, 0.03, 0.5),
    "camhs": WardTemplate("01", "0", "24", 12, 35, 0.8, (12, 16, 18), 0.3, 0.2, 1.4),
    "ld": WardTemplate("05", "0", "15", 8, 120, 0.9, (18, 27, 60), 0.7, 0.95, 1.2),
    "low_secure": WardTemplate("03", "1", "19", 14, 300, 0.7, (19, 33, 60), 0.85, 0.1, 0.8),
    "medium_secure": WardTemplate("03", "2", "20", 15, 450, 0.6, (20, 35, 60), 0.9, 0.08, 0.7),
    "rehab": WardTemplate("03", "0", "17", 14, 150, 0.7, (20, 38, 65), 0.6, 0.05, 0.4),
}


@dataclass(frozen=True)
class TrustProfile:
    wards: tuple[tuple[str, int], ...]  # (ward kind, number of wards)
    rate: float  # reference incidents per occupied bed day
    trend_per_year: float  # relative change in rate per year (-0.1 = 10% fewer each year)
    diversity: float  # share of patients not White British (Z/99 excluded)
    deprivation: float  # > 0 skews the trust's LSOAs to deprived IMD deciles
    lsoa_block: int  # keeps each trust's synthetic LSOA codes apart (E019<block><nnn>)


def _wards(**counts: int) -> tuple[tuple[str, int], ...]:
    return tuple((kind, n) for kind, n in counts.items() if n)


PROFILES: dict[str, TrustProfile] = {
    "RJ8": TrustProfile(_wards(acute=4, older=2, picu=1, rehab=1), 0.030, 0.0, 0.04, 0.8, 10),
    "NQL": TrustProfile(_wards(acute=4, older=2, picu=1), 0.035, -0.05, 0.08, 1.0, 11),
    "RWV": TrustProfile(
        _wards(acute=5, older=2, picu=1, low_secure=1, medium_secure=1), 0.027, -0.04, 0.06, 0.2, 12
    ),
    "RH5": TrustProfile(_wards(acute=4, older=2, picu=1, camhs=1, ld=1), 0.030, 0.0, 0.06, 0.2, 13),
    "RVN": TrustProfile(
        _wards(acute=8, older=3, picu=2, low_secure=1, medium_secure=1), 0.033, -0.08, 0.18, 0.2, 14
    ),
    "RTQ": TrustProfile(_wards(acute=4, older=2, picu=1, ld=1), 0.025, 0.0, 0.10, -0.2, 15),
    "RDY": TrustProfile(_wards(acute=5, older=2, picu=1, camhs=1), 0.027, -0.03, 0.08, -0.1, 16),
    "RW1": TrustProfile(
        _wards(acute=6, older=2, picu=1, ld=1, low_secure=1, medium_secure=1),
        0.030,
        -0.05,
        0.12,
        -0.4,
        17,
    ),
    "R1C": TrustProfile(_wards(acute=2, older=1), 0.025, 0.0, 0.15, 0.5, 18),
    "R1F": TrustProfile(_wards(acute=1, older=1), 0.027, 0.0, 0.05, 0.8, 19),
    "RNU": TrustProfile(
        _wards(acute=6, older=2, picu=1, camhs=2, low_secure=1, medium_secure=1),
        0.030,
        -0.12,
        0.25,
        -0.6,
        20,
    ),
    "RWX": TrustProfile(_wards(acute=4, older=1, picu=1), 0.027, 0.0, 0.35, -0.7, 21),
    "RX2": TrustProfile(
        _wards(acute=9, older=3, picu=2, camhs=1, low_secure=1, medium_secure=1),
        0.033,
        -0.10,
        0.15,
        0.0,
        22,
    ),
    "RXX": TrustProfile(_wards(acute=5, older=2, picu=1, ld=1), 0.027, -0.02, 0.25, -0.8, 23),
    "RXY": TrustProfile(
        _wards(acute=7, older=3, picu=1, low_secure=1, medium_secure=1), 0.030, 0.03, 0.18, 0.5, 24
    ),
    "ZZ1": TrustProfile(_wards(ld=2, camhs=1, low_secure=1), 0.045, 0.0, 0.20, 0.3, 25),
}
_DEFAULT = TrustProfile(_wards(acute=4, older=2, picu=1), 0.030, 0.0, 0.10, 0.0, 0)


def profile_for(ods_code: str) -> TrustProfile:
    """The trust's profile; a trust added by YAML alone gets a middling default."""
    if ods_code in PROFILES:
        return PROFILES[ods_code]
    block = 30 + zlib.crc32(ods_code.encode()) % 70
    return TrustProfile(_DEFAULT.wards, _DEFAULT.rate, 0.0, 0.10, 0.0, block)


# Rate multipliers (relative to the reference patient). Invented, shaped like published gaps.
ETHNIC_RATE = {"M": 1.8, "N": 2.0, "P": 1.9, "D": 1.5, "E": 1.4}
# (lowest age, multiplier): young people are restrained far more often
AGE_RATE = ((0, 2.5), (18, 1.6), (25, 1.2), (35, 1.0), (55, 0.7), (65, 0.5))
LDA_RATE = 3.0
SEASON_AMPLITUDE = 0.12  # +-12% around the year, peaking in summer
# Share of the non-White-British patients in each ethnic category (Z and 99 are added apart).
ETHNIC_MIX = {
    "B": 0.04, "C": 0.25, "D": 0.05, "E": 0.03, "F": 0.04, "G": 0.04, "H": 0.08, "J": 0.05,
    "K": 0.02, "L": 0.05, "M": 0.07, "N": 0.10, "P": 0.04, "R": 0.03, "S": 0.11,
}  # fmt: skip
NOT_STATED_SHARE = 0.03  # Z
NOT_KNOWN_SHARE = 0.02  # 99
