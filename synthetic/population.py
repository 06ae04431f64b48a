"""A trust's inpatient population: wards, patients and their ward stays over the whole run.

Grain: `Wards` one row per ward; `Patients` one row per person; `Stays` one row per ward stay
(dates at day resolution, end exclusive as in the occupied-bed-days rule). Each patient has a
chain of one or more stays (readmissions after a gap), so the population persists across months
and long stays (secure, learning disability wards) run for years. Chains start uniformly from
`WARM_UP_DAYS` before the first month, so the first month already has a full ward; numbers of
patients are set so that occupancy is about `OCCUPANCY` of the beds. Stay ends are true ends,
possibly after the run: whether a month's file shows them is decided when files are built.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from synthetic import nhs_numbers
from synthetic.habits import WARD_NAMES, Habits
from synthetic.profiles import (
    ETHNIC_MIX,
    NOT_KNOWN_SHARE,
    NOT_STATED_SHARE,
    WARD_TEMPLATES,
    TrustProfile,
)

OCCUPANCY = 0.9
WARM_UP_DAYS = 3 * 365
READMISSION_P = 0.3  # chance a patient has a further stay after each one
GAP_MEAN_DAYS = 150.0
LSOAS_PER_TRUST = 300
DAY = np.timedelta64(1, "D")


@dataclass(frozen=True)
class Wards:
    code: np.ndarray
    kind: np.ndarray  # template name
    ward_type: np.ndarray
    security: np.ndarray
    bed_type: np.ndarray
    beds: np.ndarray


@dataclass(frozen=True)
class Patients:
    nhs_number: np.ndarray  # ten digits, valid modulus 11, 999 test range
    local_id: np.ndarray
    date_of_birth: np.ndarray  # datetime64[D]
    gender: np.ndarray
    gender_identity: np.ndarray
    ethnic_category: np.ndarray
    lsoa: np.ndarray  # "" when not recorded
    imd_decile: np.ndarray  # 0 when no LSOA
    lda: np.ndarray  # bool
    frailty: np.ndarray  # individual rate multiplier, mean 1, heavy tailed


@dataclass(frozen=True)
class Stays:
    stay_id: np.ndarray
    patient: np.ndarray  # index into Patients
    ward: np.ndarray  # index into Wards
    start: np.ndarray  # datetime64[D]
    end: np.ndarray  # datetime64[D], exclusive day of discharge (may be after the run)


def build_wards(ods: str, profile: TrustProfile, habits: Habits, scale: float) -> Wards:
    kinds = [kind for kind, n in profile.wards for _ in range(n)]
    names = [
        habits.ward_code.format(ods=ods, n=i + 1, name=WARD_NAMES[i % len(WARD_NAMES)])
        for i in range(len(kinds))
    ]
    t = [WARD_TEMPLATES[k] for k in kinds]
    return Wards(
        code=np.array(names),
        kind=np.array(kinds),
        ward_type=np.array([x.ward_type for x in t]),
        security=np.array([x.security for x in t]),
        bed_type=np.array([x.bed_type for x in t]),
        beds=np.array([max(1, round(x.beds * scale)) for x in t]),
    )


def lsoa_pool(profile: TrustProfile, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """The trust's synthetic LSOA codes (E019bbnnn: no real LSOA is numbered that high) and a
    synthetic IMD decile for each, skewed by the trust's deprivation."""
    codes = np.array([f"E019{profile.lsoa_block:02d}{i:03d}" for i in range(LSOAS_PER_TRUST)])
    weights = np.exp(-profile.deprivation * (np.arange(1, 11) - 5.5) / 4.5)
    deciles = rng.choice(np.arange(1, 11), size=LSOAS_PER_TRUST, p=weights / weights.sum())
    return codes, deciles


def build_population(
    ods: str,
    profile: TrustProfile,
    habits: Habits,
    wards: Wards,
    first_day: np.datetime64,
    end_day: np.datetime64,
    rng: np.random.Generator,
    lsoas: tuple[np.ndarray, np.ndarray],
) -> tuple[Patients, Stays]:
    """Patients and stays overlapping [first_day, end_day), one stay chain per patient."""
    span = int((end_day - first_day) / DAY) + WARM_UP_DAYS
    parts: list[_Part] = []
    for kind in dict.fromkeys(wards.kind.tolist()):
        t = WARD_TEMPLATES[kind]
        in_kind = np.flatnonzero(wards.kind == kind)
        beds = wards.beds[in_kind]
        mean_los = t.los_median_days * np.exp(t.los_sigma**2 / 2)
        n_patients = max(1, round(beds.sum() * OCCUPANCY * span / (mean_los / (1 - READMISSION_P))))
        n_stays = rng.geometric(1 - READMISSION_P, size=n_patients)
        patient = np.repeat(np.arange(n_patients), n_stays)
        los = np.maximum(
            1, np.rint(rng.lognormal(np.log(t.los_median_days), t.los_sigma, patient.size))
        )
        step = los + 7 + rng.exponential(GAP_MEAN_DAYS, patient.size).round()
        before = np.cumsum(step) - step
        chain_first = np.cumsum(n_stays) - n_stays
        first = rng.integers(-WARM_UP_DAYS, span - WARM_UP_DAYS, size=n_patients)
        offset = first[patient] + (before - before[chain_first][patient])
        ward = in_kind[rng.choice(in_kind.size, size=patient.size, p=beds / beds.sum())]
        parts.append(
            (kind, n_patients, patient, ward, offset.astype(np.int64), los.astype(np.int64))
        )
    return _assemble(ods, profile, habits, parts, first_day, end_day, rng, lsoas)


_Part = tuple[str, int, np.ndarray, np.ndarray, np.ndarray, np.ndarray]
_Lsoas = tuple[np.ndarray, np.ndarray]


def _assemble(
    ods: str,
    profile: TrustProfile,
    habits: Habits,
    parts: list[_Part],
    first_day: np.datetime64,
    end_day: np.datetime64,
    rng: np.random.Generator,
    lsoas: _Lsoas,
) -> tuple[Patients, Stays]:
    """Stack the ward kinds' chains, keep stays overlapping the run, number them by start."""
    patients: list[np.ndarray] = []
    kinds: list[np.ndarray] = []
    wards_: list[np.ndarray] = []
    starts: list[np.ndarray] = []
    ends: list[np.ndarray] = []
    pat_offset = 0
    for kind, n_patients, patient, ward, offset, los in parts:
        patients.append(patient + pat_offset)
        kinds.append(np.full(n_patients, kind))
        wards_.append(ward)
        starts.append(first_day + offset * DAY)
        ends.append(first_day + (offset + los) * DAY)
        pat_offset += n_patients
    start, end = np.concatenate(starts), np.concatenate(ends)
    patient, ward = np.concatenate(patients), np.concatenate(wards_)
    keep = (start < end_day) & (end > first_day)
    order = np.lexsort((ward[keep], start[keep]))
    patient, ward, start, end = (a[keep][order] for a in (patient, ward, start, end))
    used, patient = np.unique(patient, return_inverse=True)
    people = _people(np.concatenate(kinds)[used], start, patient, profile, habits, rng, lsoas)
    stay_ids = np.array(
        [habits.ward_stay_id.format(n=i) for i in range(100001, 100001 + start.size)]
    )
    return people, Stays(stay_ids, patient, ward, start, end)


def _people(
    kind: np.ndarray,
    stay_start: np.ndarray,
    stay_patient: np.ndarray,
    profile: TrustProfile,
    habits: Habits,
    rng: np.random.Generator,
    lsoas: _Lsoas,
) -> Patients:
    """One row per patient; age is drawn for the first admission from the ward kind's range."""
    n = kind.size
    first_admit = np.full(n, np.datetime64("2100-01-01"), dtype="datetime64[D]")
    np.minimum.at(first_admit, stay_patient, stay_start)
    t = [WARD_TEMPLATES[k] for k in kind]
    lo, mode, hi = (np.array([x.age[i] for x in t], dtype=float) for i in range(3))
    age_days = (rng.triangular(lo, mode, hi + 0.999) * 365.25).astype(np.int64)
    male = rng.random(n) < np.array([x.male_share for x in t])
    gender = np.where(male, "1", "2")
    odd = rng.random(n)
    gender = np.where(odd < 0.004, "9", np.where(odd < 0.012, "X", gender))
    identity = np.where(rng.random(n) < 0.55, "X", gender)  # identity often not recorded
    identity = np.where(np.isin(identity, ["9"]), "X", identity)
    identity = np.where(rng.random(n) < 0.015, "3", np.where(rng.random(n) < 0.02, "Z", identity))
    codes, deciles = lsoas
    weights = 1 + 0.15 * (10 - deciles)  # inpatients come disproportionately from deprived areas
    pick = rng.choice(codes.size, size=n, p=weights / weights.sum())
    has_lsoa = rng.random(n) > 0.03
    numbers = nhs_numbers.generate(rng, n)
    return Patients(
        nhs_number=numbers,
        local_id=np.array([habits.local_id.format(n=i) for i in rng.permutation(n) + 1000]),
        date_of_birth=first_admit - age_days * DAY,
        gender=gender,
        gender_identity=identity,
        ethnic_category=_ethnicity(profile, rng, n),
        lsoa=np.where(has_lsoa, codes[pick], ""),
        imd_decile=np.where(has_lsoa, deciles[pick], 0),
        lda=rng.random(n) < np.array([x.lda_share for x in t]),
        frailty=rng.gamma(0.6, 1 / 0.6, size=n),
    )


def _ethnicity(profile: TrustProfile, rng: np.random.Generator, n: int) -> np.ndarray:
    other = 1 - NOT_STATED_SHARE - NOT_KNOWN_SHARE
    labels = ["A", *ETHNIC_MIX, "Z", "99"]
    probs = [other * (1 - profile.diversity)]
    probs += [other * profile.diversity * share for share in ETHNIC_MIX.values()]
    probs += [NOT_STATED_SHARE, NOT_KNOWN_SHARE]
    return rng.choice(np.array(labels), size=n, p=np.array(probs) / sum(probs))
