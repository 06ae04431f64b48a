"""A wave of chunks from several trusts validated together gives each file exactly the outcome
it gets when its chunk is processed alone; a chunk that breaks the suite run fails alone."""

from __future__ import annotations

from dataclasses import replace

import pandas as pd
import pytest

from expectations.trust_history import TrustHistory
from flows import pipeline
from flows.pipeline import check_chunk, finish_chunk, process_chunk, validate_chunks, validate_wave
from flows.plan import chunk_by_trust, group_partitions
from flows.work import ComputeContext, PartitionResult
from landing.scan import scan_landing
from tests.flows.helpers import make_landing

pytestmark = pytest.mark.slow  # GX suite runs over generated trusts

TRUSTS = ["RX2", "NQL", "RH5"]  # XLSX, CSV (dd/mm dates) and Parquet: different dialects


@pytest.fixture(scope="module")
def chains_and_ctx(registry, tmp_path_factory):
    root = tmp_path_factory.mktemp("waves")
    landing = make_landing(root, registry, TRUSTS, 3, scale=0.1, faults=True)
    files, _ = scan_landing(str(landing), registry)
    chains = chunk_by_trust(group_partitions(files), 3)
    ctx = ComputeContext(registry=registry, key=b"wave-test", archive_url=str(root / "archive"))
    return chains, ctx


def _alone(chains, ctx) -> dict[str, list[PartitionResult]]:
    return {
        trust: process_chunk(chunks[0], ctx, TrustHistory(trust))[0]
        for trust, chunks in chains.items()
    }


def _checked(chains, ctx):
    return [check_chunk(chunks[0], ctx, TrustHistory(trust)) for trust, chunks in chains.items()]


def _assert_same(one: list[PartitionResult], other: list[PartitionResult]) -> None:
    assert len(one) == len(other)
    for a, b in zip(one, other, strict=True):
        assert a.work.label == b.work.label
        for x, y in zip(a.outcomes, b.outcomes, strict=True):
            assert (x.status, x.rows_loaded, x.rows_quarantined, x.rejection_rule) == (
                y.status, y.rows_loaded, y.rows_quarantined, y.rejection_rule,
            )  # fmt: skip
            assert x.warnings == y.warnings
            for frame, twin in ((x.facts, y.facts), (x.quarantine, y.quarantine)):
                if frame is None or twin is None:
                    assert frame is twin
                else:
                    pd.testing.assert_frame_equal(frame, twin)


@pytest.mark.parametrize("rows_per_run", [200_000, 150])
def test_a_wave_validated_together_equals_each_chunk_alone(
    chains_and_ctx, monkeypatch, rows_per_run: int
) -> None:
    chains, ctx = chains_and_ctx
    monkeypatch.setattr(pipeline, "MAX_ROWS_PER_SUITE_RUN", rows_per_run)  # 150: several runs
    alone = _alone(chains, ctx)
    chunks = _checked(chains, ctx)
    validated = validate_chunks(chunks, ctx)  # together, with no fallback to one by one
    quarantined = 0
    for chunk, rows in zip(chunks, validated, strict=True):
        assert not isinstance(rows, str)
        results = finish_chunk(chunk, rows, ctx)
        _assert_same(results, alone[chunk.chunk.trust_code])
        quarantined += sum(o.rows_quarantined for r in results for o in r.outcomes)
    assert quarantined > 0  # the generated faults were there to be caught


def test_a_chunk_that_breaks_the_suite_run_fails_alone(chains_and_ctx) -> None:
    chains, ctx = chains_and_ctx
    alone = _alone(chains, ctx)
    chunks = _checked(chains, ctx)
    broken = chunks[1].checked[0]
    broken.derived = broken.derived.drop(columns=["_dob"])  # a helper column lost upstream
    validated = validate_wave(chunks, ctx)
    assert validated[1] == (
        "ValueError: restrictive_interventions: files validated together must have the same columns"
    )
    for position in (0, 2):
        rows = validated[position]
        assert not isinstance(rows, str)
        chunk = chunks[position]
        _assert_same(finish_chunk(chunk, rows, ctx), alone[chunk.chunk.trust_code])


def test_a_chunk_that_was_not_checked_keeps_its_reason(chains_and_ctx) -> None:
    chains, ctx = chains_and_ctx
    chunks = _checked(chains, ctx)
    chunks[0] = replace(chunks[0], items=[], error="OSError: archive unreachable")
    validated = validate_wave(chunks, ctx)
    assert validated[0] == "OSError: archive unreachable"
    assert all(isinstance(rows, list) for rows in validated[1:])


def test_suite_runs_are_cut_by_row_budget(monkeypatch) -> None:
    monkeypatch.setattr(pipeline, "MAX_ROWS_PER_SUITE_RUN", 100)
    runs = pipeline._row_budget([3, 5, 8, 9, 12, 14], [0, 60, 30, 20, 250, 10])
    assert runs == [[3, 5, 8], [9], [12], [14]]  # a file over the budget runs alone


def test_the_wave_holds_every_trust(chains_and_ctx) -> None:
    chains, _ = chains_and_ctx
    assert sorted(chains) == sorted(TRUSTS)
    assert all(len(chunks) == 1 and len(chunks[0].partitions) == 3 for chunks in chains.values())
