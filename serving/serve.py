"""`mhsip serve`: serve the nightly and backfill deployments until stopped.

With PREFECT_API_URL configured (a real server backed by PostgreSQL, or Prefect Cloud) it serves
against that. Without one it starts its own local Prefect server first (serving/prefect_server.py),
because schedules never fire on the temporary server, and stops it again on SIGINT, SIGTERM or a
normal exit. Flow runs execute as child processes of this one and inherit its MHSIP_* settings.
"""

from __future__ import annotations

import os
import signal
import sys
from types import FrameType

from rich.console import Console

from flows.settings import Settings
from serving.deployments import DEPLOYMENTS, SERVE_LIMIT, build_deployments
from serving.prefect_server import LocalPrefectServer, ServerStartError, configured_api_url

err = Console(stderr=True, soft_wrap=True)


def _exit_on_sigterm(signum: int, frame: FrameType | None) -> None:
    """Until Prefect's runner installs its own handler: turn SIGTERM into a clean exit."""
    raise SystemExit(128 + signum)


def serve_deployments() -> None:
    """Register the deployments (with schedules) and execute their runs; blocks until signalled."""
    from prefect import serve

    serve(*build_deployments(), limit=SERVE_LIMIT, print_starting_message=False)


def _announce(api_url: str, embedded: bool) -> None:
    where = "local Prefect server started by mhsip" if embedded else "configured Prefect API"
    err.print(f"Prefect API: {api_url} ({where})")
    if embedded:
        err.print(f"Prefect UI:  {api_url.removesuffix('/api')}")
    for spec in DEPLOYMENTS:
        when = f"cron '{spec.cron}' {spec.timezone}" if spec.cron else "on demand"
        err.print(f"serving {spec.full_name}: {when}")
    err.print("stop with Ctrl+C or SIGTERM")


def run_serve(settings: Settings, startup_timeout: float = 120.0) -> None:
    """Serve against the configured API, or start, use and stop a local server."""
    previous = signal.signal(signal.SIGTERM, _exit_on_sigterm)
    try:
        url = configured_api_url()
        if url:
            _announce(url, embedded=False)
            serve_deployments()
            return
        _serve_embedded(settings, startup_timeout)
    finally:
        signal.signal(signal.SIGTERM, previous)


def _serve_embedded(settings: Settings, startup_timeout: float) -> None:
    from prefect.settings import PREFECT_API_URL, temporary_settings

    server = LocalPrefectServer(settings.logs / "prefect-server.log", startup_timeout)
    home = os.environ.get("PREFECT_HOME", "~/.prefect")
    err.print(f"starting a local Prefect server (database under {home}) ...")
    try:
        server.start()
        # Both: this process reads the context settings; flow-run child processes read the env.
        os.environ["PREFECT_API_URL"] = server.api_url
        with temporary_settings(updates={PREFECT_API_URL: server.api_url}):
            _announce(server.api_url, embedded=True)
            serve_deployments()
    except ServerStartError as exc:
        err.print(f"[red]mhsip: {exc}[/red]")
        sys.exit(1)
    finally:
        os.environ.pop("PREFECT_API_URL", None)
        if server.process is not None:
            server.stop()
            err.print("local Prefect server stopped")
