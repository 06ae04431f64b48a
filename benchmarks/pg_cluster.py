"""A throw-away PostgreSQL cluster the soak may stop and start at will.

The PostgreSQL server a team shares must never be restarted by a test, so the soak's
PostgreSQL faults (a restart between runs, a crash with `pg_ctl stop -m immediate` during one)
are played on a cluster of its own: `initdb` into a temporary folder, started with `pg_ctl` on a
random free port (listening on 127.0.0.1 and a socket inside the folder, so nothing collides
with a system cluster), removed when done. `initdb` refuses to run as root, so under root the
cluster's commands run as the `postgres` account (`runuser`), which then owns the folder.
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path
from types import TracebackType


def _bindir() -> Path:
    """The folder of `initdb` and `pg_ctl`: on PATH, or the newest Debian-style install."""
    found = shutil.which("pg_ctl")
    if found:
        return Path(found).resolve().parent  # Debian links pg_ctl into /usr/local/bin
    installs = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"), key=lambda p: int(p.parts[4])
    )
    if not installs:
        raise RuntimeError("no PostgreSQL server binaries (initdb, pg_ctl) on this machine")
    return installs[-1].parent


def cluster_unavailable() -> str | None:
    """Why no throw-away cluster can be made here (no server binaries, or root without a
    `postgres` account to run them as), or None."""
    try:
        _bindir()
        if os.geteuid() == 0:
            pwd.getpwnam("postgres")
    except RuntimeError as exc:
        return str(exc)
    except KeyError:
        return "running as root and there is no postgres account to run initdb as"
    return None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class ThrowawayCluster:
    """`with ThrowawayCluster() as pg:` gives a running cluster; `pg.url(db)` a warehouse URL."""

    def __init__(self) -> None:
        self.bindir = _bindir()
        self.root = Path(tempfile.mkdtemp(prefix="mhsip-pg-"))
        self.data = self.root / "data"
        self.port = _free_port()
        self._as: list[str] = []
        if os.geteuid() == 0:
            account = pwd.getpwnam("postgres")
            os.chown(self.root, account.pw_uid, account.pw_gid)
            self._as = ["runuser", "-u", "postgres", "--"]

    def _run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*self._as, *args], check=check, capture_output=True, text=True, timeout=120
        )

    def start(self) -> None:
        options = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._run(str(self.bindir / "pg_ctl"), "-D", str(self.data), "-w", "-t", "60",
                  "-l", str(self.root / "server.log"), "-o", options, "start")  # fmt: skip

    def stop(self, mode: str = "fast") -> None:
        """Stop the server; `immediate` is a crash (no checkpoint, recovery at the next start)."""
        self._run(str(self.bindir / "pg_ctl"), "-D", str(self.data), "-w", "-m", mode, "stop",
                  check=False)  # fmt: skip

    def restart(self, mode: str = "immediate") -> None:
        self.stop(mode)
        self.start()

    def create_database(self, name: str) -> str:
        import psycopg

        with psycopg.connect(self.libpq("postgres"), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def libpq(self, database: str) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def url(self, database: str) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def __enter__(self) -> ThrowawayCluster:
        self._run(str(self.bindir / "initdb"), "-D", str(self.data), "-U", "postgres",
                  "--auth=trust", "-E", "UTF8", "--no-sync")  # fmt: skip
        self.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop("immediate")
        shutil.rmtree(self.root, ignore_errors=True)
