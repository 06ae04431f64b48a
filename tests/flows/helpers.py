"""Helpers for the flow tests: small landing zones, isolated homes, comparable snapshots."""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import signal
import sys
from datetime import date
from pathlib import Path
from subprocess import STDOUT, Popen

import duckdb
import pandas as pd

from synthetic import generate
from transforms.trust_config import Registry

# 32 bytes of base64, made up for the tests (tests/conftest.py sets it for in-process runs).
TEST_ARCHIVE_KEY = "dGVzdC1hcmNoaXZlLWtleS1ub3QtYS1zZWNyZXQtISE="
# Columns that record when or by which run something happened, not what was loaded.
VOLATILE = {
    "received_at",
    "processed_at",
    "flow_run_id",
    "refreshed_at",
    "recorded_at",
    "changed_at",
}
# Tables that record who did what when (the archive access record), not what was loaded.
VOLATILE_TABLES = {"etl_archive_access"}


def make_landing(
    root: Path, registry: Registry, trusts: list[str], months: int, *, scale: float = 0.1,
    seed: int = 11, start: date = date(2024, 1, 1), faults: bool = True,
) -> Path:  # fmt: skip
    landing = root / "landing"
    generate(landing, registry, start, months, trusts, scale=scale, seed=seed, faults=faults)
    return landing


def home_env(
    home: Path, landing: Path, reference_from: Path | None = None, **extra: str
) -> dict[str, str]:
    """Settings for a run; the generator's synthetic IMD table is kept as reference data."""
    reference = (reference_from or landing) / "_reference" / "imd_lsoa.csv"
    if reference.exists():
        (home / "reference").mkdir(parents=True, exist_ok=True)
        shutil.copy(reference, home / "reference" / "imd_lsoa.csv")
    return {
        "MHSIP_HOME": str(home),
        "MHSIP_LANDING": str(landing),
        "MHSIP_PSEUDONYMISATION_KEY": "test-key-not-a-secret",
        "MHSIP_ARCHIVE_KEY": TEST_ARCHIVE_KEY,
        "MHSIP_MAX_WORKERS": "2",
        **extra,
    }


def subprocess_env(home: Path, landing: Path, **extra: str) -> dict[str, str]:
    """Environment for `python -m mhsip` in a child: its own Prefect home inside MHSIP_HOME."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MHSIP_", "PREFECT_"))}
    env.update(home_env(home, landing, **extra))
    env.update({"PREFECT_HOME": str(home / "prefect"), "PREFECT_SERVER_ANALYTICS_ENABLED": "false"})
    return env


def db_path(home: Path) -> Path:
    return home / "warehouse" / "mhsip.duckdb"


def snapshot(db: Path, drop_volatile: bool = True) -> dict[str, pd.DataFrame]:
    """Every table, sorted, optionally without the when/which-run columns."""
    with duckdb.connect(str(db), read_only=True) as con:
        names = [r[0] for r in con.sql("SELECT table_name FROM duckdb_tables()").fetchall()]
        out = {}
        for name in sorted(set(names) - VOLATILE_TABLES):
            frame = con.sql(f'SELECT * FROM "{name}"').df()
            if drop_volatile:
                frame = frame.drop(columns=[c for c in frame.columns if c in VOLATILE])
            out[name] = frame.sort_values(list(frame.columns)).reset_index(drop=True)
        return out


def pg_snapshot(url: str) -> dict[str, pd.DataFrame]:
    """Every table of a PostgreSQL warehouse as text, sorted, without the when/which-run
    columns (the alembic version aside)."""
    import psycopg
    from sqlalchemy.engine import make_url

    libpq = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(libpq) as conn:
        names = [r[0] for r in conn.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'"
            " AND table_type = 'BASE TABLE' AND table_name <> 'alembic_version'"
        )]  # fmt: skip
        out = {}
        for name in sorted(set(names) - VOLATILE_TABLES):
            cur = conn.execute(f'SELECT * FROM "{name}"')
            frame = pd.DataFrame(cur.fetchall(), columns=[c.name for c in cur.description or []])
            frame = frame.drop(columns=[c for c in frame.columns if c in VOLATILE])
            out[name] = frame.astype(str).sort_values(list(frame.columns)).reset_index(drop=True)
        return out


def assert_same_tables(left: dict[str, pd.DataFrame], right: dict[str, pd.DataFrame]) -> None:
    assert left.keys() == right.keys()
    for name in left:
        pd.testing.assert_frame_equal(left[name], right[name], obj=name, check_dtype=False)


def lake_digest(lake: Path) -> dict[str, str]:
    return {
        str(p.relative_to(lake)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(lake.rglob("*.parquet"))
    }


def copy_months(source: Path, target: Path, months: list[str]) -> None:
    """Copy the given YYYY-MM folders of every trust (arrival of those months' submissions)."""
    for trust in sorted(p for p in source.iterdir() if p.is_dir() and not p.name.startswith("_")):
        for month in months:
            if (trust / month).exists():
                shutil.copytree(trust / month, target / trust.name / month, dirs_exist_ok=True)
    reference = source / "_reference"
    if reference.exists():
        shutil.copytree(reference, target / "_reference", dirs_exist_ok=True)


def start_cli(args: list[str], home: Path, landing: Path, log: Path, **extra: str) -> Popen:
    """`python -m mhsip ...` in its own process group, output to a file (never a pipe: an
    orphaned child holding a pipe would block the reader)."""
    home.mkdir(parents=True, exist_ok=True)
    with log.open("wb") as handle:
        return Popen(
            [sys.executable, "-m", "mhsip", *args], env=subprocess_env(home, landing, **extra),
            stdout=handle, stderr=STDOUT, start_new_session=True,
        )  # fmt: skip


def finish_cli(proc: Popen, timeout: float = 400) -> int:
    """Wait for the CLI, then kill whatever it left in its process group (Prefect's server)."""
    try:
        return proc.wait(timeout=timeout)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
