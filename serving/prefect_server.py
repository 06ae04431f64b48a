"""A local `prefect server start` owned by `mhsip serve`: started, health-checked, always stopped.

Why: schedules never fire on Prefect's temporary (ephemeral) server, because its scheduler service
does not run (design.md §9.3). So when no PREFECT_API_URL is configured, `mhsip serve` runs a
real server as a child process, on 127.0.0.1 and a free port, with its SQLite database under
PREFECT_HOME (MHSIP_HOME/prefect, set by `prepare_environment`) and telemetry off.

The child runs in its own session so stopping it takes any process it forks too; on Linux it is
also told to die with its parent, so even a SIGKILLed `mhsip serve` leaves no server behind.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from types import TracebackType

HEALTH_POLL_SECONDS = 0.25


class ServerStartError(RuntimeError):
    """The local Prefect server exited or did not answer /api/health within the wait."""


def configured_api_url() -> str | None:
    """PREFECT_API_URL from the environment or the active Prefect profile; None when unset."""
    from prefect.settings import get_current_settings

    url = get_current_settings().api.url
    return str(url) if url else None


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def is_listening(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((host, port)) == 0


def _die_with_parent() -> None:  # pragma: no cover - runs in the child before exec
    with contextlib.suppress(Exception):
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


class LocalPrefectServer:
    """Context manager: `with LocalPrefectServer(log_path) as server: ... server.api_url`."""

    def __init__(
        self, log_path: Path, startup_timeout: float = 120.0, host: str = "127.0.0.1"
    ) -> None:
        self.log_path = log_path
        self.startup_timeout = startup_timeout
        self.host = host
        self.port = 0
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def api_url(self) -> str:
        return f"{self.url}/api"

    def command(self) -> list[str]:
        return [sys.executable, "-m", "prefect", "server", "start",
                "--host", self.host, "--port", str(self.port)]  # fmt: skip

    def start(self) -> None:
        self.port = free_port(self.host)
        env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
        env["PREFECT_SERVER_ANALYTICS_ENABLED"] = "false"
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(  # noqa: S603 - fixed argv, no shell
                self.command(),
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                env=env,
                start_new_session=True,
                preexec_fn=_die_with_parent if sys.platform == "linux" else None,
            )
        self.wait_healthy()

    def wait_healthy(self) -> None:
        """Poll GET /api/health until it answers true; bounded by `startup_timeout` seconds."""
        deadline = time.monotonic() + self.startup_timeout
        while time.monotonic() < deadline:
            code = self.process.poll() if self.process is not None else None
            if code is not None:
                self.stop()
                raise ServerStartError(
                    f"Prefect server exited with code {code} during start-up; see {self.log_path}"
                )
            if self.is_healthy():
                return
            time.sleep(HEALTH_POLL_SECONDS)
        self.stop()
        raise ServerStartError(
            f"Prefect server on {self.url} not healthy after {self.startup_timeout:.0f} s; "
            f"see {self.log_path}"
        )

    def is_healthy(self) -> bool:
        url = f"{self.api_url}/health"
        try:
            with urllib.request.urlopen(url, timeout=2) as reply:  # noqa: S310 - our own http URL
                return bool(reply.status == 200 and reply.read().strip() == b"true")
        except OSError:
            return False

    def stop(self, grace_seconds: float = 15.0) -> None:
        """SIGTERM the server's process group, then SIGKILL whatever outlives the grace period."""
        process, self.process = self.process, None
        if process is None:
            return
        for sig, wait in ((signal.SIGTERM, grace_seconds), (signal.SIGKILL, 5.0)):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, sig)
            try:
                process.wait(timeout=wait)
                break
            except subprocess.TimeoutExpired:
                continue
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, signal.SIGKILL)  # anything the server forked and left behind

    def __enter__(self) -> LocalPrefectServer:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
