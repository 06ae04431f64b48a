"""A soak of randomised nights: new and resubmitted months, hostile files, random faults.

    python benchmarks/soak.py --nights N --seed S [--trusts RJ8 RWX ...] [--postgres]
        [--faults NAME ...] [--out DIR]

Each night a few trusts' next month arrives, some earlier month is resubmitted with changed
bytes, and now and then a hostile file arrives (binary bytes named as an extract, a truncated
CSV). Two homes then play the night over the same landing zone with the real CLI:
- the reference home runs one nightly, never faulted;
- the soaked home runs the nightly with one random fault out of
  - `none`;
  - `sigkill`: the nightly is killed with SIGKILL at a random moment (a timer), or at a random
    failpoint of `mhsip/failpoints.py`, then run again;
  - `overlap`: two nightlies start together (one waits for the other's lock or exits 3), then
    one more runs;
  - with `--postgres` only, `pg_restart_between` (the server crashes, `pg_ctl stop -m
    immediate`, and starts again before the nightly) and `pg_restart_during` (it crashes at a
    random moment of the nightly and starts again; the next nightly converges);
  - and, where a tmpfs can be mounted (root; tried once at the start), `disk_full`: the soaked
    home lives on a tmpfs of its own (8 GiB, never reached) for the whole soak; on a disk_full
    night the mount is cut to what is used plus a random headroom of 0-8 MiB, so that the
    nightly runs out of space at some stage (creating or migrating the warehouse, Prefect's
    database, the archive copy, the lake, the warehouse's loads, the log), then grown back
    before the night's drawn fault and its converging nightly. The full-disk nightly may exit 0
    (the headroom sufficed) or 1 with a `mhsip: ` reason line (asserted); Prefect's own server
    logs tracebacks on a full disk, so "no traceback" is not something the output can promise.
    Where no tmpfs can be mounted, the totals say `disk_full_unavailable: 1`.
  disk_full is drawn by an rng of its own (seeded from the seed), on about one night in
  (number of faults + 1), and is played before the night's drawn fault rather than instead of
  it: a seed's other draws stay what they were before disk_full existed (the PostgreSQL soak
  test relies on seed 3's), and a full disk is also followed by a kill, an overlap or a crash.
  `--faults` restricts the draw (tests force one kind); naming disk_full makes every night one.
After each night the soaked home's warehouse and lake must equal the reference's: facts, marts,
the live submissions and their quarantine, ignoring when/which-run columns and superseded
versions. The promise tested is "faults never change the result": the reference plays the
same arrivals in the same order, because some verdicts are as of arrival (a month's row count
is judged against the months loaded before it, docs/design.md §4.3), so a one-run replay of
everything landed may rightly judge a file otherwise than the night it arrived.
Prints one line per night and the totals; exits 1 at the first divergence. A nightly that
should have succeeded (the reference's, or the soaked home's last) and failed is run once more
and counted (`reference_reruns`, `+rerun`): on a busy machine Prefect's temporary server has
been seen to lose a run ("Flow run ... not found"), which is not what the soak is about.

With `--postgres` both homes' warehouses live on a throw-away cluster of the soak's own
(benchmarks/pg_cluster.py), never on a shared server.
"""

from __future__ import annotations

import argparse
import contextlib
import random
import shutil
import sys
import tempfile
import time
from collections import Counter
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.pg_cluster import ThrowawayCluster, cluster_unavailable  # noqa: E402
from mhsip.config_loader import load_registry  # noqa: E402
from mhsip.failpoints import NAMES as FAILPOINTS  # noqa: E402
from synthetic import generate  # noqa: E402
from tests.flows.helpers import (  # noqa: E402
    VOLATILE,
    db_path,
    finish_cli,
    lake_digest,
    pg_snapshot,
    snapshot,
    start_cli,
)
from tests.flows.tmpfs import LARGE, resize, tmpfs_mount, tmpfs_unavailable, used_bytes  # noqa: E402

TRUSTS = ["RJ8", "RWX", "ZZ1"]
__all__ = ["cluster_unavailable", "soak", "tmpfs_unavailable"]
FAULTS = ("none", "sigkill", "overlap")
PG_FAULTS = ("pg_restart_between", "pg_restart_during")
DISK_FULL = "disk_full"
MAX_HEADROOM = 8 * 1024 * 1024


def _month(index: int) -> date:
    """Night `index`'s new month: from January 2018, so 100 nights stay in the past (an end
    after the day a file arrives is quarantined, end_after_arrival)."""
    return date(2018 + index // 12, index % 12 + 1, 1)


def _arrive(landing: Path, registry, trusts: list[str], index: int, seed: int) -> None:
    """Month `index` of each trust, generated alone into a scratch folder and moved in."""
    with tempfile.TemporaryDirectory() as scratch:
        generate(Path(scratch), registry, _month(index), 1, trusts, 0.1, seed, False)
        for trust in trusts:
            source = Path(scratch) / trust / f"{_month(index):%Y-%m}"
            target = landing / trust / source.name
            shutil.rmtree(target, ignore_errors=True)
            shutil.copytree(source, target)


def _hostile(landing: Path, rng: random.Random, trusts: list[str], index: int) -> str:
    """Spoil one of tonight's new files (a spoilt file of a month already loaded would keep
    the earlier good version, which a one-run replay cannot have)."""
    trust, month = rng.choice(trusts), _month(index)
    folder = landing / trust / f"{month:%Y-%m}"
    files = sorted(p for p in folder.iterdir() if p.is_file())
    if not files:
        return "none"
    victim = rng.choice(files)
    if rng.random() < 0.5:
        victim.write_bytes(b"\x00\x01" + rng.randbytes(2000))
        return "binary"
    data = victim.read_bytes()
    victim.write_bytes(data[: len(data) * 2 // 3])
    return "truncated"


def _nightly(home: Path, landing: Path, log: Path, **extra: str) -> int:
    return finish_cli(start_cli(["nightly"], home, landing, log, **extra))


def _fill_disk(home: Path, landing: Path, logs: Path, rng: random.Random,
               env: dict[str, str]) -> str:  # fmt: skip
    """One nightly with the home's tmpfs cut to what it uses plus a random headroom, then the
    room given back; returns what the night's line says of it."""
    headroom = rng.randrange(MAX_HEADROOM)
    resize(home, used_bytes(home) + headroom)
    try:
        code = _nightly(home, landing, logs / "disk-full.log", **env)
    finally:
        resize(home, LARGE)
    output = (logs / "disk-full.log").read_text(errors="replace").splitlines()
    reasons = [line for line in output if line.startswith("mhsip: ")]
    assert code == 0 or (code == 1 and reasons), f"the full-disk nightly exited {code}: {logs}"
    return f"{DISK_FULL}@{headroom / 2**20:.1f}MiB:exit{code}"


def _play_fault(
    fault: str, home: Path, landing: Path, logs: Path, rng: random.Random,
    env: dict[str, str], pg: ThrowawayCluster | None,
) -> str:  # fmt: skip
    """Run the night's nightly with `fault`; returns what was injected."""
    injected = fault
    if fault == "sigkill":
        if rng.random() < 0.5:
            name = rng.choice(FAILPOINTS)
            _nightly(home, landing, logs / "killed.log", MHSIP_FAILPOINT=name, **env)
            injected = f"sigkill@{name}"
        else:
            proc = start_cli(["nightly"], home, landing, logs / "killed.log", **env)
            time.sleep(rng.uniform(2, 25))
            proc.kill()
            finish_cli(proc)
            injected = "sigkill@timer"
    elif fault == "overlap":
        first = start_cli(["nightly"], home, landing, logs / "first.log", **env)
        second = start_cli(["nightly"], home, landing, logs / "second.log", **env)
        codes = {finish_cli(first), finish_cli(second)}
        assert codes <= {0, 3}, f"overlapping runs exited {codes}"
    elif fault == "pg_restart_between" and pg is not None:
        pg.restart("immediate")
    elif fault == "pg_restart_during" and pg is not None:
        proc = start_cli(["nightly"], home, landing, logs / "crashed.log", **env)
        time.sleep(rng.uniform(1, 20))
        pg.restart("immediate")
        finish_cli(proc)  # failed or finished: either way the next nightly converges
    code = _nightly(home, landing, logs / "final.log", **env)
    if code != 0:  # as for the reference: once more, and the night says so
        injected += "+rerun"
        code = _nightly(home, landing, logs / "final-again.log", **env)
    assert code == 0, f"the converging nightly exited {code}: see {logs}"
    return injected


def _live(tables: dict) -> dict:
    """Tables as a clean replay would have them: superseded versions dropped."""
    out = dict(tables)
    subs = tables["etl_submission"]
    live = subs[subs.status != "superseded"]
    out["etl_submission"] = live.reset_index(drop=True)
    quarantine = tables["etl_quarantine"]
    kept = quarantine[quarantine.submission_id.isin(set(live.submission_id))]
    out["etl_quarantine"] = kept.reset_index(drop=True)
    volatile = VOLATILE | {"recorded_at"}
    return {k: v.drop(columns=[c for c in v.columns if c in volatile]) for k, v in out.items()}


def _tables(home: Path, url: str | None) -> dict:
    return pg_snapshot(url) if url else snapshot(db_path(home))


def _diverges(home: Path, reference: Path, urls: dict[str, str]) -> list[str]:
    left = _live(_tables(home, urls.get("home")))
    right = _live(_tables(reference, urls.get("reference")))
    bad = [name for name in left if name not in right or not left[name].equals(right[name])]
    if lake_digest(home / "lake") != lake_digest(reference / "lake"):
        bad.append("lake")
    return bad


def soak(
    nights: int, seed: int, trusts: list[str], out: Path, postgres: bool = False,
    faults: tuple[str, ...] | None = None,
) -> Counter[str]:  # fmt: skip
    """`faults` restricts the draw to these (None: all); see the module's docstring."""
    with contextlib.ExitStack() as stack:
        pg = stack.enter_context(ThrowawayCluster()) if postgres else None
        drawn = FAULTS + (PG_FAULTS if pg is not None else ())
        if faults is not None:
            drawn = tuple(f for f in drawn if f in faults) or ("none",)
        disk_share = 1 / (len(drawn) + 1) if faults is None else float(DISK_FULL in faults)
        totals: Counter[str] = Counter()
        if disk_share and (reason := tmpfs_unavailable()):
            print(f"no disk_full fault: {reason}", flush=True)
            totals["disk_full_unavailable"] = 1
            disk_share = 0
        if disk_share:
            stack.enter_context(tmpfs_mount(out / "home"))
        totals.update(_soak(nights, seed, trusts, out, pg, drawn, disk_share))
        return totals


def _soak(
    nights: int, seed: int, trusts: list[str], out: Path, pg: ThrowawayCluster | None,
    faults: tuple[str, ...], disk_share: float,
) -> Counter[str]:  # fmt: skip
    rng = random.Random(seed)
    disk_rng = random.Random(f"{seed}:{DISK_FULL}")  # its own, so `rng` draws as it always did
    registry = load_registry(ROOT / "config")
    landing, home, reference = out / "landing", out / "home", out / "reference"
    urls = {} if pg is None else {n: pg.create_database(n) for n in ("home", "reference")}
    env = {n: {"MHSIP_WAREHOUSE_URL": u} for n, u in urls.items()}
    totals: Counter[str] = Counter()
    for night in range(nights):
        started = time.monotonic()
        arriving = rng.sample(trusts, k=rng.randint(1, len(trusts)))
        _arrive(landing, registry, arriving, night, seed + night)
        events = [f"new {night}:{'+'.join(arriving)}"]
        if night and rng.random() < 0.5:
            again = rng.randrange(night)
            _arrive(landing, registry, [rng.choice(trusts)], again, seed + 1000 + night)
            events.append(f"resubmitted {again}")
            totals["resubmissions"] += 1
        if rng.random() < 0.3:
            kind = _hostile(landing, rng, arriving, night)
            events.append(f"hostile {kind}")
            totals[f"hostile:{kind}"] += 1
        logs = out / "logs" / f"night-{night:03d}"
        logs.mkdir(parents=True)
        code = _nightly(reference, landing, logs / "reference.log", **env.get("reference", {}))
        if code != 0:  # e.g. Prefect's temporary server lost the run: once more, counted
            totals["reference_reruns"] += 1
            code = _nightly(reference, landing, logs / "reference-again.log",
                            **env.get("reference", {}))  # fmt: skip
        assert code == 0, f"the reference nightly exited {code}"
        fault = rng.choice(faults)
        full = ""
        if disk_share and disk_rng.random() < disk_share:
            full = _fill_disk(home, landing, logs, disk_rng, env.get("home", {})) + ", then "
            totals[f"fault:{DISK_FULL}"] += 1
        injected = _play_fault(fault, home, landing, logs, rng, env.get("home", {}), pg)
        totals[f"fault:{injected.split('@')[0].split('+')[0]}"] += 1
        totals["final_reruns"] += injected.endswith("+rerun")
        bad = _diverges(home, reference, urls)
        totals["nights"] += 1
        print(f"night {night}: {', '.join(events)}; fault {full}{injected}; "
              f"divergences {len(bad)} {bad or ''} ({time.monotonic() - started:.0f} s)",
              flush=True)  # fmt: skip
        if bad:
            totals["divergences"] += 1
            break
    return totals


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--nights", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--trusts", nargs="+", default=TRUSTS)
    parser.add_argument(
        "--postgres",
        action="store_true",
        help="warehouses on a throw-away PostgreSQL cluster, with its faults",
    )
    parser.add_argument("--faults", nargs="+", default=None, help="draw only these faults [all]")
    parser.add_argument("--out", type=Path, default=None, help="work folder [a temporary one]")
    args = parser.parse_args()
    out = args.out or Path(tempfile.mkdtemp(prefix="mhsip-soak-"))
    faults = None if args.faults is None else tuple(args.faults)
    totals = soak(args.nights, args.seed, args.trusts, out, args.postgres, faults)
    print("totals:", dict(sorted(totals.items())), flush=True)
    return 1 if totals["divergences"] else 0


if __name__ == "__main__":
    raise SystemExit(main())
