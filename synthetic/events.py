"""Restrictive interventions that happen to patients during their ward stays.

Grain: one row per intervention type used in an incident (the canonical dataset's grain);
rows of one incident share `incident`, numbered 1.. by `seq`. Times are naive local date-times at
minute resolution (`datetime64[m]`). Incidents fall only inside stays (between admission and the
discharge day), so every intervention has an exact bed-day denominator. The expected count for a
stay-month is bed days x trust rate x ward, ethnic, age, deprivation and LD/autism multipliers x
the patient's own frailty x season x trend; counts are Poisson draws, so the signal an SPC chart
finds is the trend and seasonality, the rest is noise. A change the trust's YAML declares
(`changes`) lowers the rate of its ward (every ward for a whole-trust change) by `CHANGE_EFFECT`
from its month on, so the demo's ward charts show a shift at their change markers.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from synthetic.population import DAY, Patients, Stays, Wards
from synthetic.profiles import (
    AGE_RATE,
    ETHNIC_RATE,
    LDA_RATE,
    SEASON_AMPLITUDE,
    WARD_TEMPLATES,
    TrustProfile,
)

MINUTE = np.timedelta64(1, "m")
CHANGE_EFFECT = 0.5  # rate multiplier from a declared change's month on
Change = tuple[int | None, np.datetime64]  # (ward index, None = every ward; first day)
PHYSICAL = np.array(["07", "09", "08", "11", "10", "12", "13", "01"])
PHYSICAL_P = np.array([0.30, 0.18, 0.14, 0.10, 0.08, 0.06, 0.04, 0.10])
# an incident's primary intervention: physical, oral, IM non-RT, RT, seclusion, segregation,
# mechanical
PRIMARY = np.array(["P", "16", "15", "14", "05", "06", "04"])
PRIMARY_P = np.array([0.64, 0.09, 0.03, 0.06, 0.14, 0.02, 0.02])
# duration of each type, minutes: lognormal (median, sigma); segregation runs for weeks
DURATION = {
    "01": (4, 0.6),
    "07": (6, 0.7),
    "08": (5, 0.6),
    "09": (7, 0.7),
    "10": (6, 0.7),
    "11": (8, 0.7),
    "12": (5, 0.6),
    "13": (6, 0.7),
    "04": (45, 0.8),
    "14": (3, 0.5),
    "15": (3, 0.5),
    "16": (2, 0.5),
    "17": (4, 0.5),
    "05": (10 * 60, 1.1),
    "06": (21 * 24 * 60, 0.8),
}
REASONS = np.array(["10", "11", "12", "13", "14", "15", "16", "17", "18", "19", "98", "99"])
REASON_P = np.array([0.38, 0.18, 0.02, 0.1, 0.02, 0.005, 0.03, 0.2, 0.02, 0.015, 0.02, 0.01])


@dataclass(frozen=True)
class Interventions:
    incident: np.ndarray  # trust-unique incident number (int)
    seq: np.ndarray  # 1.. within the incident
    stay: np.ndarray  # index into Stays
    code: np.ndarray  # MHSDS intervention type
    start: np.ndarray  # datetime64[m]
    end: np.ndarray  # datetime64[m], true end (may be after the run)
    reason: np.ndarray
    injury_patient: np.ndarray
    injury_staff: np.ndarray
    injury_other: np.ndarray
    review: np.ndarray  # post-incident review with the patient, Y/N


def stay_months(stays: Stays, months: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(stay index, month index) for every stay-month with at least one occupied bed day.
    `months` holds the first day of each month and, last, the first day after the run."""
    first = np.searchsorted(months, stays.start, side="right") - 1
    last = np.searchsorted(months, stays.end - DAY, side="right") - 1
    first, last = np.maximum(first, 0), np.minimum(last, months.size - 2)
    n = np.maximum(last - first + 1, 0)
    stay = np.repeat(np.arange(stays.start.size), n)
    month = first[stay] + (np.arange(stay.size) - np.repeat(np.cumsum(n) - n, n))
    return stay, month


def simulate(
    profile: TrustProfile,
    wards: Wards,
    people: Patients,
    stays: Stays,
    months: np.ndarray,
    rng: np.random.Generator,
    changes: tuple[Change, ...] = (),
) -> Interventions:
    stay, month = stay_months(stays, months)
    seg_start = np.maximum(stays.start[stay], months[month])
    seg_end = np.minimum(stays.end[stay], months[month + 1])
    days = ((seg_end - seg_start) / DAY).astype(float)
    expected = days * _rate(profile, wards, people, stays, stay, months[month], month)
    for ward, first in changes:
        on_ward = np.ones(stay.size, dtype=bool) if ward is None else stays.ward[stay] == ward
        expected = np.where(on_ward & (months[month] >= first), expected * CHANGE_EFFECT, expected)
    n_inc = rng.poisson(expected)
    inc_stay = np.repeat(stay, n_inc)
    offset = (rng.random(inc_stay.size) * np.repeat(days, n_inc) * 1440).astype(np.int64)
    inc_start = np.repeat(seg_start, n_inc).astype("datetime64[m]") + offset * MINUTE
    order = np.argsort(inc_start, kind="stable")
    return _expand(inc_stay[order], inc_start[order], stays, rng)


def _rate(
    profile: TrustProfile,
    wards: Wards,
    people: Patients,
    stays: Stays,
    stay: np.ndarray,
    month_start: np.ndarray,
    month: np.ndarray,
) -> np.ndarray:
    """Expected incidents per occupied bed day for each stay-month."""
    patient = stays.patient[stay]
    ward_rate = np.array([WARD_TEMPLATES[k].rate for k in wards.kind])[stays.ward[stay]]
    ethnic = np.array([ETHNIC_RATE.get(e, 1.0) for e in people.ethnic_category])[patient]
    age = ((month_start - people.date_of_birth[patient]) / DAY) / 365.25
    lows, mults = np.array([a for a, _ in AGE_RATE]), np.array([m for _, m in AGE_RATE])
    age_rate = mults[np.searchsorted(lows, age, side="right") - 1]
    decile = people.imd_decile[patient]
    imd = np.where(decile > 0, 1.45 - 0.09 * (decile - 1), 1.0)
    lda = np.where(people.lda[patient], LDA_RATE, 1.0)
    calendar_month = month_start.astype("datetime64[M]").astype(np.int64) % 12
    season = 1 + SEASON_AMPLITUDE * np.sin(2 * np.pi * (calendar_month - 3) / 12)
    trend = (1 + profile.trend_per_year) ** (month / 12)
    frailty = people.frailty[patient]
    return profile.rate * ward_rate * ethnic * age_rate * imd * lda * season * trend * frailty


def _expand(
    inc_stay: np.ndarray, inc_start: np.ndarray, stays: Stays, rng: np.random.Generator
) -> Interventions:
    """One incident -> its intervention rows: a primary type, then for physical restraint maybe
    prone, rapid tranquillisation and seclusion, each starting a few minutes after the last."""
    n = inc_stay.size
    primary = rng.choice(PRIMARY, size=n, p=PRIMARY_P)
    physical = primary == "P"
    primary = np.where(physical, rng.choice(PHYSICAL, size=n, p=PHYSICAL_P), primary)
    extra_prone = physical & (primary != "01") & (rng.random(n) < 0.12)
    extra_rt = physical & (rng.random(n) < 0.25)
    extra_secl = physical & (rng.random(n) < 0.10)
    codes = [primary, np.full(n, "01"), np.full(n, "14"), np.full(n, "05")]
    present = [np.ones(n, bool), extra_prone, extra_rt, extra_secl]
    delays = [0, 2, 8, 20]  # minutes after the incident starts, plus jitter
    rows_inc, rows_code, rows_delay = [], [], []
    for codes_k, mask, delay_k in zip(codes, present, delays, strict=True):
        idx = np.flatnonzero(mask)
        rows_inc.append(idx)
        rows_code.append(codes_k[idx])
        rows_delay.append(np.full(idx.size, delay_k))
    inc = np.concatenate(rows_inc)
    planned = np.concatenate(rows_delay)
    delay = planned + np.where(planned > 0, rng.integers(0, 5, inc.size), 0)
    order = np.lexsort((delay, inc))
    inc, delay = inc[order], delay[order]
    code = np.concatenate(rows_code)[order]
    seq = np.arange(inc.size) - np.searchsorted(inc, inc)
    start = inc_start[inc] + delay * MINUTE
    median = np.array([DURATION[c][0] for c in code], dtype=float)
    sigma = np.array([DURATION[c][1] for c in code])
    minutes = np.maximum(1, np.rint(median * np.exp(sigma * rng.standard_normal(inc.size))))
    stay = inc_stay[inc]
    discharge = stays.end[stay].astype("datetime64[m]") + 9 * 60 * MINUTE
    end = np.minimum(start + minutes.astype(np.int64) * MINUTE, discharge)
    reason = rng.choice(REASONS, size=n, p=REASON_P / REASON_P.sum())[inc]
    prone = code == "01"
    return Interventions(
        incident=inc + 1,
        seq=seq + 1,
        stay=stay,
        code=code,
        start=start,
        end=end,
        reason=reason,
        injury_patient=_yn(rng.random(inc.size) < np.where(prone, 0.08, 0.03)),
        injury_staff=_yn(rng.random(inc.size) < 0.05),
        injury_other=_yn(rng.random(inc.size) < 0.01),
        review=_yn(rng.random(n) < 0.65)[inc],
    )


def _yn(mask: np.ndarray) -> np.ndarray:
    return np.where(mask, "Y", "N")
