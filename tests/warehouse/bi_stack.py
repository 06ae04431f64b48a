"""The BI clients' Python stack in a virtual environment of its own, `.venv-bi` at the
repository root, made on first use and reused while its requirements are unchanged.

Apache Superset 6.1 brings SQLAlchemy 1.4, psycopg2, duckdb 2 and duckdb-engine 0.17, which
cannot share the pipeline's environment (SQLAlchemy 2, duckdb 1.5), so the BI tests run their
clients there (`bi_client_probe.py`). Older DuckDB releases, to check which can read the BI copy,
are installed beside it with `pip install --target` and put first on PYTHONPATH.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Final

import filelock

REPO = Path(__file__).resolve().parents[2]
VENV = REPO / ".venv-bi"
# Pinned to what Superset 6.1 brings, so the tests see what a BI analyst sees; duckdb-cli is the
# DuckDB CLI of docs/bi.md (its binary ships in the wheel).
STACK: Final = (
    "sqlalchemy==1.4.54",
    "psycopg2-binary==2.9.13",
    "duckdb==2.0.1",
    "duckdb-engine==0.17.0",
    "duckdb-cli==1.5.6",
)


def _pip(*args: str) -> None:
    python = VENV / "bin" / "python"
    done = subprocess.run(
        [str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check", *args],
        capture_output=True, text=True, timeout=900, check=False,
    )  # fmt: skip
    if done.returncode != 0:
        raise RuntimeError(f"pip install {' '.join(args)} failed:\n{done.stderr[-3000:]}")


def bi_python() -> Path:
    """The BI environment's Python, made (or remade when STACK changed) under a file lock."""
    stamp = VENV / "mhsip-bi-stack.txt"
    wanted = "\n".join(STACK) + "\n"
    with filelock.FileLock(f"{VENV}.lock", timeout=1200):
        if not stamp.exists() or stamp.read_text(encoding="utf-8") != wanted:
            subprocess.run([sys.executable, "-m", "venv", "--clear", str(VENV)], check=True)
            _pip(*STACK)
            stamp.write_text(wanted, encoding="utf-8")
    return VENV / "bin" / "python"


def duckdb_release(version: str) -> Path:
    """A folder holding the `duckdb` package at `version`, for PYTHONPATH."""
    bi_python()
    target = VENV / f"duckdb-{version}"
    with filelock.FileLock(f"{VENV}.lock", timeout=1200):
        if not (target / "duckdb").is_dir():
            _pip("--no-deps", "--target", str(target), f"duckdb=={version}")
    return target


def run_python(code_or_script: list[str], stdin: str = "", pythonpath: Path | None = None
               ) -> subprocess.CompletedProcess[str]:  # fmt: skip
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    if pythonpath is not None:
        env["PYTHONPATH"] = str(pythonpath)
    return subprocess.run(
        [str(bi_python()), *code_or_script], input=stdin, capture_output=True, text=True,
        timeout=300, env=env, check=False,
    )  # fmt: skip
