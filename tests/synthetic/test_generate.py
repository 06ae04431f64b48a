"""The generator writes every trust-month, reproducibly, and respects its arguments."""

from __future__ import annotations

import datetime as dt
import fnmatch
import re
from pathlib import Path

import pandas as pd
import pytest

from synthetic import GenerationManifest, generate, load_manifest
from tests.synthetic.helpers import START, TRUSTS, Run, blank, read_generated
from transforms.canonical import DATASETS
from transforms.trust_config import Registry


def _files(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_same_seed_same_bytes_other_seed_other_bytes(
    run: Run, registry: Registry, tmp_path: Path
) -> None:
    out, _ = run
    generate(tmp_path / "b", registry, START, 3, trusts=TRUSTS, scale=0.3, seed=3, workers=1)
    first, second = _files(out), _files(tmp_path / "b")
    assert first.keys() == second.keys() and first == second
    assert any(name.endswith(".xlsx") for name in first)
    generate(tmp_path / "c", registry, START, 3, trusts=TRUSTS, scale=0.3, seed=4, workers=1)
    third = _files(tmp_path / "c")
    data = [k for k in first if not k.startswith("_")]
    assert all(first[k] != third.get(k) for k in data)


def test_trusts_months_and_layout(run: Run, registry: Registry) -> None:
    out, manifest = run
    folders = {p.relative_to(out).as_posix() for p in out.glob("*/*") if p.is_dir()}
    expected = {f"{t}/2024-0{m}" for t in TRUSTS for m in (1, 2, 3)}
    assert folders == expected
    assert {f.path.rsplit("/", 1)[0] for f in manifest.files} == expected
    assert len(manifest.files) == len(TRUSTS) * 3 * 2
    for record in manifest.files:
        trust = registry.trust(record.trust)
        name = record.path.rsplit("/", 1)[1].lower()
        other = next(ds for ds in DATASETS if ds != record.dataset)
        assert fnmatch.fnmatch(name, trust.files.for_dataset(record.dataset).lower()), record.path
        assert not fnmatch.fnmatch(name, trust.files.for_dataset(other).lower()), record.path


def test_months_cross_a_year_and_scale_grows_rows(registry: Registry, tmp_path: Path) -> None:
    small = generate(
        tmp_path / "s", registry, dt.date(2024, 11, 15), 3, ["RJ8"], 0.1, 1, faults=False
    )
    large = generate(
        tmp_path / "l", registry, dt.date(2024, 11, 15), 3, ["RJ8"], 0.4, 1, faults=False
    )
    assert sorted({f.month for f in small.files}) == ["2024-11", "2024-12", "2025-01"]
    assert sorted(p.name for p in (tmp_path / "s" / "RJ8").iterdir()) == [
        "2024-11",
        "2024-12",
        "2025-01",
    ]

    def stays(m: GenerationManifest) -> int:
        return sum(f.rows for f in m.files if f.dataset == "ward_stays")

    assert stays(large) > 2.5 * stays(small) > 0
    assert small.faults == [] and large.start == "2024-11"


def test_manifest_round_trips_and_holds_no_identifiers(run: Run) -> None:
    out, manifest = run
    assert load_manifest(out) == manifest
    text = (out / "_generator_manifest.json").read_text()
    assert not re.search(r"\d{3}[ -]?\d{3}[ -]?\d{4}", text)
    assert "RIO" not in text  # RVN's local patient ids


def test_imd_reference_covers_every_lsoa_and_says_synthetic(run: Run, registry: Registry) -> None:
    out, manifest = run
    reference = pd.read_csv(out / manifest.imd_reference, dtype={"lsoa": str})
    assert list(reference.columns) == ["lsoa", "imd_decile"]
    assert reference["imd_decile"].between(1, 10).all() and reference["lsoa"].is_unique
    used = set()
    for record in manifest.files:
        frame, _ = read_generated(out / record.path, registry.trust(record.trust), record.dataset)
        used |= {v for v in frame["lsoa"] if not blank(v)}
    assert used and used <= set(reference["lsoa"])
    assert "SYNTHETIC" in (out / "_reference/README.txt").read_text()


def test_clean_run_interventions_sit_inside_stays_and_open_ones_repeat(
    registry: Registry, tmp_path: Path
) -> None:
    manifest = generate(tmp_path, registry, START, 4, ["RJ8"], 1.0, 11, faults=False, workers=1)
    trust = registry.trust("RJ8")
    by_month = {}
    for record in manifest.files:
        frame, _ = read_generated(tmp_path / record.path, trust, record.dataset)
        by_month[(record.month, record.dataset)] = frame
    seen: dict[tuple[str, str], list[tuple[str, str, str]]] = {}
    for month in ("2024-01", "2024-02", "2024-03", "2024-04"):
        ri, ws = by_month[(month, "restrictive_interventions")], by_month[(month, "ward_stays")]
        assert len(ri) > 100 and ws["ward_stay_id"].is_unique
        assert set(zip(ri["nhs_number"], ri["ward_code"], strict=True)) <= set(
            zip(ws["nhs_number"], ws["ward_code"], strict=True)
        )
        for key, start, end in zip(
            zip(ri["incident_id"], ri["intervention_id"], strict=True),
            ri["start"],
            ri["end"],
            strict=True,
        ):
            seen.setdefault(key, []).append((month, start, end))
    spanning = [v for v in seen.values() if len(v) > 1]
    assert spanning
    for appearances in spanning:
        assert len({start for _, start, _ in appearances}) == 1
        assert all(end == "" for _, _, end in appearances[:-1])


def test_bad_arguments_fail_with_a_reason(registry: Registry, tmp_path: Path) -> None:
    suggestion = r"not in the trust registry: RX3 \(did you mean RX[2Y]\?\)"
    with pytest.raises(ValueError, match=suggestion):
        generate(tmp_path, registry, START, 1, trusts=["RX3"])
    with pytest.raises(ValueError, match="months must be at least 1"):
        generate(tmp_path, registry, START, 0)
