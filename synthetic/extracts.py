"""Turn a trust's simulated population and events into its monthly extract tables.

Grain of a table: `restrictive_interventions` one row per (incident, intervention) in scope for
the month (starts in it, ends in it, or still open at its end, so a long seclusion or
segregation is repeated each month with a blank end until the month it ends); `ward_stays` one
row per stay with at least one occupied bed day in the month (blank end while still in hospital
at the month's end). A table is a dict of canonical field -> column in the trust's dialect, plus
hidden columns (names starting "_") that fault injection needs: true typed times, raw NHS
numbers and a row key. Columns are built once per trust and sliced per month, for speed.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from synthetic.dialect import Dialect
from synthetic.events import Interventions, stay_months
from synthetic.population import Patients, Stays, Wards
from transforms.canonical import Dataset

Table = dict[str, np.ndarray]


def _person_ward(
    d: Dialect, people: Patients, wards: Wards, stays: Stays, stay: np.ndarray
) -> Table:
    p, w = stays.patient[stay], stays.ward[stay]
    return {
        "nhs_number": d.nhs(people.nhs_number[p]),
        "local_patient_id": people.local_id[p],
        "date_of_birth": d.date(people.date_of_birth[p]),
        "gender": d.code("gender", people.gender[p]),
        "gender_identity": d.code("gender_identity", people.gender_identity[p]),
        "ethnic_category": d.code("ethnic_category", people.ethnic_category[p]),
        "lsoa": people.lsoa[p],
        "ward_code": wards.code[w],
        "ward_type": d.code("ward_type", wards.ward_type[w]),
        "ward_security_level": d.code("ward_security_level", wards.security[w]),
        "bed_type": d.code("bed_type", wards.bed_type[w]),
        "lda_flag": d.code("lda_flag", np.where(people.lda[p], "Y", "N")),
        "_nhs": people.nhs_number[p],
    }


def ward_stay_tables(
    d: Dialect, people: Patients, wards: Wards, stays: Stays, months: np.ndarray
) -> Iterator[tuple[int, Table]]:
    """(month index, table) for every month of the run, in month order."""
    stay, month = stay_months(stays, months)
    order = np.lexsort((stay, month))
    stay, month = stay[order], month[order]
    cols = _person_ward(d, people, wards, stays, stay)
    cols["ward_stay_id"] = stays.stay_id[stay]
    cols["stay_start"] = d.date(stays.start[stay])
    end = stays.end[stay]
    open_ = end >= months[month + 1]
    cols["stay_end"] = d.blank_where(open_, d.date(end))
    cols["_stay_start"], cols["_stay_end"] = stays.start[stay], end
    yield from _by_month(d, "ward_stays", cols, month, months.size - 1)


def intervention_tables(
    d: Dialect,
    people: Patients,
    wards: Wards,
    stays: Stays,
    iv: Interventions,
    months: np.ndarray,
) -> Iterator[tuple[int, Table]]:
    first = np.searchsorted(months, iv.start.astype("datetime64[D]"), side="right") - 1
    last = np.minimum(
        np.searchsorted(months, iv.end.astype("datetime64[D]"), side="right") - 1, months.size - 2
    )
    n = last - first + 1
    row = np.repeat(np.arange(iv.start.size), n)
    month = first[row] + (np.arange(row.size) - np.repeat(np.cumsum(n) - n, n))
    order = np.lexsort((row, month))
    row, month = row[order], month[order]
    cols = _person_ward(d, people, wards, stays, iv.stay[row])
    fmt = d.habits.incident_id
    cols["incident_id"] = np.array([fmt.format(n=i) for i in iv.incident.tolist()])[row]
    cols["intervention_id"] = iv.seq.astype(str)[row]
    cols["intervention_type"] = d.code("intervention_type", iv.code[row])
    cols["start"] = d.datetime(iv.start[row])
    end = iv.end[row]
    open_ = end >= months[month + 1].astype("datetime64[m]")
    cols["end"] = d.blank_where(open_, d.datetime(end))
    cols["reason"] = d.code("reason", iv.reason[row])
    for field, values in (
        ("injury_patient", iv.injury_patient),
        ("injury_staff", iv.injury_staff),
        ("injury_other", iv.injury_other),
        ("post_incident_review_patient", iv.review),
    ):
        cols[field] = d.code(field, values[row])
    cols["_start"], cols["_end"] = iv.start[row], end
    yield from _by_month(d, "restrictive_interventions", cols, month, months.size - 1)


def _by_month(
    d: Dialect, dataset: Dataset, cols: Table, month: np.ndarray, n_months: int
) -> Iterator[tuple[int, Table]]:
    keep = d.fields(dataset) + [k for k in cols if k.startswith("_")]
    bounds = np.searchsorted(month, np.arange(n_months + 1))
    for m in range(n_months):
        a, b = bounds[m], bounds[m + 1]
        table = {k: cols[k][a:b] for k in keep}
        table["_key"] = np.arange(b - a)
        yield m, table
