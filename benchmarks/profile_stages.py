"""Where does a partition's time go? Runs the compute half (flows.pipeline.process_chunk) on a
generated landing zone without Prefect or a warehouse, under pyinstrument, and prints the
profile's top entries plus the per-stage totals.

    python benchmarks/profile_stages.py --trusts 4 --months 12 --scale 1
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--trusts", type=int, default=4)
    parser.add_argument("--months", type=int, default=12)
    parser.add_argument("--scale", type=float, default=1.0)
    args = parser.parse_args()

    from pyinstrument import Profiler

    from expectations.trust_history import TrustHistory
    from flows.pipeline import process_chunk
    from flows.plan import chunk_by_trust, group_partitions
    from flows.work import ChunkWork, ComputeContext
    from landing.scan import scan_landing
    from mhsip.config_loader import load_registry
    from synthetic import generate

    work = Path(tempfile.mkdtemp(prefix="mhsip-profile-"))
    registry = load_registry(REPO / "config")
    trusts = sorted(registry.trusts)[: args.trusts]
    generate(
        work / "landing",
        registry,
        date(2022, 1, 1),
        args.months,
        trusts,
        scale=args.scale,
        faults=False,
    )
    files, _ = scan_landing(str(work / "landing"), registry)
    chains = chunk_by_trust(group_partitions(files), 120)
    from landing.archive_keys import Keyring, demo_key

    ctx = ComputeContext(registry=registry, key=b"profile", archive_url=str(work / "archive"),
                         archive_keys=Keyring(demo_key()))  # fmt: skip
    from expectations.gx_runner import _validation_definition

    _validation_definition("restrictive_interventions")  # GX import and context: once per process
    profiler = Profiler(interval=0.002)
    began = time.perf_counter()
    with profiler:
        for trust, chunks in chains.items():
            history = TrustHistory(trust)
            for chunk in chunks:
                _, history = process_chunk(chunk, ctx, history)
    wall = time.perf_counter() - began
    rows = sum(len(c.partitions) for cs in chains.values() for c in cs)
    print(
        f"{rows} trust-months, {len(files)} files: {wall:.1f} s compute "
        f"({1000 * wall / len(files):.0f} ms per file)"
    )
    print(profiler.output_text(unicode=False, color=False, show_all=False)[:6000])
    _ = ChunkWork


if __name__ == "__main__":
    main()
