"""Prefect's temporary API server for one CLI run, started as early as possible.

With no PREFECT_API_URL configured, a flow starts Prefect's temporary server when it is first
called (5-8 s here, most of it in the server's own process). The CLI starts it instead, in a
background thread, as soon as it knows it will run a flow: the start then overlaps importing the
pipeline (~2 s), and its URL is known before the flow's task runner starts, so that Dask worker
processes report to it too (without it, each would start a server of its own and record its
task runs there, out of sight). Prefect stops the server when the process exits, after its log
worker has drained. With PREFECT_API_URL configured (`mhsip serve`, a real server) nothing here
starts anything.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

_state: dict[str, Any] = {}  # "thread"; then "server" or "error"
_lock = threading.Lock()


class ServerStartError(RuntimeError):
    """The temporary server never answered: Prefect retries its start for about 90 s and then
    gives up with a bare "Timed out" traceback. The usual cause is its SQLite database
    (PREFECT_HOME, under MHSIP_HOME) on a full disk; the CLI prints this as one line."""


def start_in_background() -> None:
    """Start the temporary server in a daemon thread, once, unless an API is configured."""
    with _lock:
        if "thread" in _state:
            return
        _state["thread"] = threading.Thread(target=_start, name="prefect-api-start", daemon=True)
        _state["thread"].start()


def _start() -> None:
    try:
        if os.environ.get("PREFECT_API_URL"):  # the cheap check; `for_this_run` does the full one
            return
        from prefect.server.api.server import SubprocessASGIServer

        server = SubprocessASGIServer()
        server.start()  # stopped by Prefect at exit
        _state["server"] = server
    except Exception as exc:  # re-raised in the main thread by `for_this_run`
        _state["error"] = exc


@contextmanager
def for_this_run() -> Iterator[None]:
    """Point this process (and, through it, any Dask workers) at the server started early,
    starting it now if nobody did; nothing to do when an API is configured."""
    from prefect.settings import PREFECT_API_URL, temporary_settings

    from serving.prefect_server import configured_api_url

    start_in_background()
    _state["thread"].join()
    if "error" in _state:
        error = _state["error"]
        home = os.environ.get("PREFECT_HOME", "~/.prefect")
        raise ServerStartError(
            f"Prefect's temporary server did not start ({' '.join(str(error).split())}); its"
            f" database is under {home}: check the disk there (the server's errors are above)"
        ) from error
    server = _state.get("server")
    if server is None or configured_api_url():  # an API is configured (environment, profile)
        yield
        return
    with temporary_settings({PREFECT_API_URL: server.api_url}):
        yield
