"""Generate synthetic monthly extracts for the collaborative's trusts (design.md §3.1, §3.6).

Writes `<out>/<ODS>/<YYYY-MM>/<file>` for each trust-month: one restrictive_interventions file
and one ward_stays file, each in the trust's own dialect (its YAML read backwards, plus the
habits in `synthetic.habits`); a synthetic IMD table `<out>/_reference/imd_lsoa.csv`; and the
manifest `<out>/_generator_manifest.json`. Same arguments, same bytes: every random choice comes
from a stream seeded by (seed, trust[, month, dataset]), so a trust's data do not depend on
which other trusts are generated, and trusts can run in parallel processes.
"""

from __future__ import annotations

import datetime as dt
import difflib
import os
import zlib
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from synthetic import events, faults, population
from synthetic.dialect import Dialect
from synthetic.extracts import Table, intervention_tables, ward_stay_tables
from synthetic.habits import extension_for, habits_for
from synthetic.imd import write_reference
from synthetic.manifest import FaultRecord, FileRecord, GenerationManifest
from synthetic.profiles import profile_for
from synthetic.writers import file_bytes
from transforms.canonical import DATASETS, Dataset
from transforms.trust_config import WHOLE_TRUST, CodeMaps, Registry, TrustConfig

_TITLES = {"restrictive_interventions": "restrictive interventions", "ward_stays": "ward stays"}


@dataclass(frozen=True)
class _Job:
    out: Path
    trust: TrustConfig
    codes: CodeMaps
    months: np.ndarray  # first day of each month, then the first day after the run
    seed: int
    scale: float
    faults: bool
    file_faults: dict[tuple[int, Dataset], str]


@dataclass(frozen=True)
class _Result:
    files: list[FileRecord]
    faults: list[FaultRecord]
    lsoas: tuple[np.ndarray, np.ndarray]


def generate(
    out: Path,
    registry: Registry,
    start: dt.date,
    months: int,
    trusts: list[str] | None = None,
    scale: float = 1.0,
    seed: int = 1,
    faults: bool = True,
    workers: int | None = None,
) -> GenerationManifest:
    """Write `months` months of extracts from the month of `start` for `trusts` (default: all
    in the registry). `scale` multiplies bed numbers (so rows per month, roughly linearly);
    `faults=False` writes clean data; `workers` processes (default: up to the CPU count)."""
    codes = _check(registry, trusts, months, scale)
    first = np.datetime64(start, "M")
    month_days = np.arange(first, first + months + 1).astype("datetime64[D]")
    plan: dict[tuple[str, int, Dataset], str] = {}
    if faults:
        keys = [(t, m, ds) for t in codes for m in range(months) for ds in DATASETS]
        plan = faults_module.plan_file_faults(keys, np.random.default_rng([seed, 7]))
    jobs = [
        _Job(
            out,
            registry.trust(t),
            registry.codes,
            month_days,
            seed,
            scale,
            faults,
            {(m, ds): kind for (tt, m, ds), kind in plan.items() if tt == t},
        )
        for t in codes
    ]
    n_workers = min(len(jobs), workers or os.cpu_count() or 1)
    if n_workers > 1:
        with ProcessPoolExecutor(n_workers) as pool:
            results = list(pool.map(_run_trust, jobs))
    else:
        results = [_run_trust(job) for job in jobs]
    manifest = GenerationManifest(
        seed=seed,
        start=str(first),
        months=months,
        trusts=codes,
        scale=scale,
        faults_enabled=faults,
        imd_reference=write_reference(out, [r.lsoas for r in results]),
        files=sorted((f for r in results for f in r.files), key=lambda f: f.path),
        faults=sorted(
            (f for r in results for f in r.faults), key=lambda f: (f.file, f.kind, f.rows)
        ),
    )
    manifest.write(out)
    return manifest


faults_module = faults  # the parameter `faults` shadows the module inside generate()


def _check(registry: Registry, trusts: list[str] | None, months: int, scale: float) -> list[str]:
    if months < 1:
        raise ValueError(f"months must be at least 1, got {months}")
    if scale <= 0:
        raise ValueError(f"scale must be positive, got {scale}")
    codes = list(dict.fromkeys(trusts)) if trusts else sorted(registry.trusts)
    unknown = [t for t in codes if t not in registry.trusts]
    if unknown:
        hints = [
            f"{t} (did you mean {close[0]}?)"
            if (close := difflib.get_close_matches(t, list(registry.trusts), n=1))
            else t
            for t in unknown
        ]
        raise ValueError(f"not in the trust registry: {', '.join(hints)}")
    return codes


def _changes(trust: TrustConfig, wards: population.Wards) -> tuple[events.Change, ...]:
    """The trust's declared changes as (ward index or None, first day); a ward the generator
    does not make is left out."""
    codes = [str(c) for c in wards.code]
    out: list[events.Change] = []
    for change in trust.changes:
        first = np.datetime64(f"{change.from_month}-01", "D")
        if change.ward == WHOLE_TRUST:
            out.append((None, first))
        elif change.ward in codes:
            out.append((codes.index(change.ward), first))
    return tuple(out)


def _run_trust(job: _Job) -> _Result:
    ods = job.trust.ods_code
    base = [job.seed, zlib.crc32(ods.encode())]
    profile, habits = profile_for(ods), habits_for(ods)
    dialect = Dialect(job.trust, job.codes, habits)
    wards = population.build_wards(ods, profile, habits, job.scale)
    lsoas = population.lsoa_pool(profile, np.random.default_rng([*base, 3]))
    people, stays = population.build_population(
        ods,
        profile,
        habits,
        wards,
        job.months[0],
        job.months[-1],
        np.random.default_rng([*base, 1]),
        lsoas,
    )
    iv = events.simulate(
        profile,
        wards,
        people,
        stays,
        job.months,
        np.random.default_rng([*base, 2]),
        _changes(job.trust, wards),
    )
    files: list[FileRecord] = []
    fault_records: list[FaultRecord] = []
    tables = {
        "ward_stays": ward_stay_tables(dialect, people, wards, stays, job.months),
        "restrictive_interventions": intervention_tables(
            dialect, people, wards, stays, iv, job.months
        ),
    }
    for ds_index, dataset in enumerate(DATASETS):
        for m, table in tables[dataset]:
            rng = np.random.default_rng([*base, 4, m, ds_index])
            file, found = _write_month(job, dialect, dataset, m, table, rng)
            files.append(file)
            fault_records.extend(found)
    return _Result(files, fault_records, lsoas)


def _write_month(
    job: _Job, d: Dialect, dataset: Dataset, m: int, table: Table, rng: np.random.Generator
) -> tuple[FileRecord, list[FaultRecord]]:
    trust, month = job.trust, job.months[m]
    label = str(month.astype("datetime64[M]"))
    when = dt.datetime.fromisoformat(str(job.months[m + 1])) + dt.timedelta(hours=6)
    name = _file_name(trust, d, dataset, month)
    rel = f"{trust.ods_code}/{label}/{name}"
    planted: list[tuple[str, np.ndarray, str]] = []
    kind = job.file_faults.get((m, dataset))
    if kind and (kind != "wrong_month" or len(table["_key"])):
        table, detail = faults_module.apply_file_fault(kind, table, dataset, d, rng)
        planted.append((kind, np.array([], dtype=int), detail))
    elif job.faults:
        table, planted = faults_module.apply_row_faults(
            table, dataset, d, (month, job.months[m + 1]), rng
        )
    fields = [k for k in table if not k.startswith("_")]
    headers = [trust.header_for(dataset, f) for f in fields]
    title = f"{trust.name} – {_TITLES[dataset]} – {when.strftime('%B %Y')}"
    content = file_bytes(
        headers, [table[f] for f in fields], trust, crlf=d.habits.crlf, title=title, when=when
    )
    target = job.out / rel
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(content)
    n = len(table["_key"])
    position = np.zeros(int(table["_key"].max()) + 1 if n else 0, dtype=int)
    position[table["_key"]] = np.arange(n)
    first_row = trust.header_row + 1
    records = [
        FaultRecord(
            kind,
            trust.ods_code,
            label,
            dataset,
            rel,
            tuple(sorted((position[keys] + first_row).tolist())),
            faults_module.EXPECTED[kind],
            detail,
        )
        for kind, keys, detail in planted
    ]
    return FileRecord(trust.ods_code, label, dataset, rel, n), records


def _file_name(trust: TrustConfig, d: Dialect, dataset: Dataset, month: np.datetime64) -> str:
    day = dt.date.fromisoformat(str(month))
    template = d.habits.ri_file if dataset == "restrictive_interventions" else d.habits.ws_file
    stem = template.format(
        ods=trust.ods_code,
        month=day.strftime("%Y-%m"),
        yyyymm=day.strftime("%Y%m"),
        mon_year=day.strftime("%b %Y"),
    )
    return f"{stem}.{extension_for(trust.ods_code, trust.format)}"
