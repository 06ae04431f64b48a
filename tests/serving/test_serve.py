"""`mhsip serve`, the local Prefect server it owns, and `mhsip backfill --deployment`.

Fast tests use a stand-in server script (no Prefect server); the slow ones run the real thing:
`mhsip serve` as a subprocess with a fresh MHSIP_HOME, deployments triggered through the API.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from mhsip.cli.app import app
from serving.prefect_server import LocalPrefectServer, ServerStartError, is_listening
from serving.trigger import backfill_parameters, idempotency_key

# A stand-in for `prefect server start`: answers /api/health with `true` and forks a grandchild,
# so the tests can see that stopping takes the whole process group.
FAKE_SERVER = """
import http.server, subprocess, sys
port, pid_file = int(sys.argv[1]), sys.argv[2]
child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(300)"])
open(pid_file, "w").write(str(child.pid))
class Health(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200); self.end_headers(); self.wfile.write(b"true")
    def log_message(self, *args): pass
http.server.HTTPServer(("127.0.0.1", port), Health).serve_forever()
"""


class ScriptServer(LocalPrefectServer):
    def __init__(self, argv: list[str], log_path: Path, startup_timeout: float = 20.0) -> None:
        super().__init__(log_path, startup_timeout)
        self.argv = argv

    def command(self) -> list[str]:
        return [arg.replace("{port}", str(self.port)) for arg in self.argv]


def _alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"  # a zombie has exited


# Parameters and idempotency -------------------------------------------------------------------


def test_backfill_parameters_sort_and_deduplicate_trusts() -> None:
    assert backfill_parameters("2024-01", "2024-03", ["RX2", "RNU", "RX2"]) == {
        "from_month": "2024-01",
        "to_month": "2024-03",
        "trusts": ["RNU", "RX2"],
    }
    assert backfill_parameters("2024-01", "2024-01", [])["trusts"] is None


def test_idempotency_key_is_the_parameters_and_the_day() -> None:
    params = backfill_parameters("2024-01", "2024-03", ["RX2", "RNU"])
    assert idempotency_key(params, date(2026, 11, 5)) == (
        "mhsip-backfill:2024-01:2024-03:RNU,RX2:2026-11-05"
    )
    everyone = backfill_parameters("2024-01", "2024-03", None)
    assert idempotency_key(everyone, date(2026, 11, 6)) == (
        "mhsip-backfill:2024-01:2024-03:all:2026-11-06"
    )


# The CLI without a server ---------------------------------------------------------------------


@pytest.fixture
def no_api(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    from prefect.settings import PREFECT_API_URL, temporary_settings

    monkeypatch.setenv("MHSIP_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    with temporary_settings(restore_defaults={PREFECT_API_URL}):
        yield


def test_backfill_deployment_without_a_server_exits_2_with_one_line(no_api) -> None:
    result = CliRunner().invoke(
        app, ["backfill", "--from", "2024-01", "--to", "2024-02", "--deployment"]
    )
    assert result.exit_code == 2
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1
    assert lines[0].startswith("mhsip: --deployment needs a Prefect server: set PREFECT_API_URL")


def test_backfill_deployment_refuses_dry_run(no_api) -> None:
    result = CliRunner().invoke(
        app, ["backfill", "--from", "2024-01", "--to", "2024-02", "--deployment", "--dry-run"]
    )
    assert result.exit_code == 2
    assert "--dry-run and --deployment do not combine" in result.output


# The local server's life cycle (stand-in script) ----------------------------------------------


def test_server_that_exits_during_start_up_is_a_clear_error(tmp_path: Path) -> None:
    server = ScriptServer([sys.executable, "-c", "raise SystemExit(3)"], tmp_path / "s.log")
    with pytest.raises(ServerStartError, match=r"exited with code 3 during start-up; see .*s\.log"):
        server.start()
    assert server.process is None


@pytest.mark.slow  # waits for a start timeout
def test_server_never_healthy_times_out_and_is_stopped(tmp_path: Path) -> None:
    sleeper = [sys.executable, "-c", "import time; time.sleep(300)"]
    server = ScriptServer(sleeper, tmp_path / "s.log", startup_timeout=1.0)
    began = time.monotonic()
    with pytest.raises(ServerStartError, match=r"not healthy after 1 s"):
        server.start()
    assert time.monotonic() - began < 10
    assert server.process is None


def test_healthy_server_is_used_then_stopped_with_its_children(tmp_path: Path) -> None:
    script, pid_file = tmp_path / "fake.py", tmp_path / "child.pid"
    script.write_text(FAKE_SERVER)
    argv = [sys.executable, str(script), "{port}", str(pid_file)]
    with ScriptServer(argv, tmp_path / "s.log") as server:
        assert server.api_url == f"http://127.0.0.1:{server.port}/api"
        assert is_listening("127.0.0.1", server.port)
        leader = server.process.pid if server.process else -1
        grandchild = int(pid_file.read_text())
        assert _alive(grandchild)
    assert not is_listening("127.0.0.1", server.port)
    assert not _alive(leader)
    deadline = time.monotonic() + 5
    while _alive(grandchild) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not _alive(grandchild)


# The real thing (slow): mhsip serve with no Prefect server configured ------------------------

SERVE_TRUSTS = ["RX2", "RNU"]
REPO = Path(__file__).resolve().parents[2]  # this checkout, whatever the venv's editable install
API_LINE = re.compile(r"Prefect API: (http://127\.0\.0\.1:(\d+)/api)")


def _serve_env(home: Path, landing: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"PREFECT_API_URL", "PREFECT_HOME"}}
    env.update(
        MHSIP_HOME=str(home),
        MHSIP_LANDING=str(landing),
        MHSIP_PSEUDONYMISATION_KEY="test-key-not-a-secret",
        MHSIP_MAX_WORKERS="2",
        PYTHONPATH=os.pathsep.join([str(REPO), env.get("PYTHONPATH", "")]).rstrip(os.pathsep),
    )
    return env


def _start_serve(home: Path, landing: Path, log: Path) -> subprocess.Popen[bytes]:
    with log.open("wb") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "mhsip.cli.app", "serve", "--startup-timeout", "90"],
            stdout=out,
            stderr=subprocess.STDOUT,
            env=_serve_env(home, landing),
            cwd=home.parent,  # not the repo: entrypoints must not depend on the working folder
        )


def _wait_for(log: Path, pattern: re.Pattern[str], proc: subprocess.Popen[bytes], seconds: float):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = pattern.search(log.read_text(errors="replace"))
        if found:
            return found
        if proc.poll() is not None:
            break
        time.sleep(0.25)
    pytest.fail(f"no {pattern.pattern!r} from mhsip serve:\n{log.read_text(errors='replace')}")


def _server_processes(port: int) -> list[int]:
    """Processes whose command line carries `--port <port>` (the server mhsip serve started)."""
    needle = f"--port\0{port}\0".encode()
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if needle in (entry / "cmdline").read_bytes() and _alive(int(entry.name)):
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


def _stop(proc: subprocess.Popen[bytes], sig: signal.Signals, port: int) -> None:
    proc.send_signal(sig)
    try:
        proc.wait(timeout=45)
    except subprocess.TimeoutExpired:
        proc.kill()
        pytest.fail(f"mhsip serve did not stop within 45 s of {sig.name}")
    deadline = time.monotonic() + 10
    while (is_listening("127.0.0.1", port) or _server_processes(port)) and (
        time.monotonic() < deadline
    ):
        time.sleep(0.2)
    assert not is_listening("127.0.0.1", port)
    assert _server_processes(port) == []


@pytest.mark.slow
def test_serve_starts_a_server_schedules_and_runs_deployments(tmp_path: Path, registry) -> None:
    from prefect.client.orchestration import get_client
    from prefect.deployments import run_deployment
    from prefect.settings import PREFECT_API_URL, temporary_settings

    from synthetic import generate

    home, landing, log = tmp_path / "home", tmp_path / "landing", tmp_path / "serve.log"
    generate(landing, registry, date(2024, 1, 1), 2, SERVE_TRUSTS, scale=0.1, seed=3)
    proc = _start_serve(home, landing, log)
    try:
        api = _wait_for(log, API_LINE, proc, 120)
        url, port = api.group(1), int(api.group(2))
        with temporary_settings(updates={PREFECT_API_URL: url}):
            with get_client(sync_client=True) as client:
                nightly, backfill = _registered(client, proc, log)
            assert [
                (s.schedule.cron, s.schedule.timezone, s.active) for s in nightly.schedules
            ] == [("0 2 * * *", "Europe/London", True)]
            assert backfill.schedules == []
            for dep in (nightly, backfill):
                assert dep.global_concurrency_limit is not None
                assert dep.global_concurrency_limit.limit == 1
            first = run_deployment("mhsip-nightly/nightly", timeout=120, poll_interval=1,
                                   as_subflow=False)  # fmt: skip
            assert first.state is not None and first.state.is_completed(), first.state
            again = run_deployment(
                "mhsip-backfill/backfill",
                parameters={"from_month": "2024-01", "to_month": "2024-02", "trusts": None},
                timeout=120, poll_interval=1, as_subflow=False,
            )  # fmt: skip
            assert again.state is not None and again.state.is_completed(), again.state
        _stop(proc, signal.SIGTERM, port)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert (home / "prefect" / "prefect.db").exists()  # the server's database lives under HOME
    with duckdb.connect(str(home / "warehouse" / "mhsip.duckdb"), read_only=True) as con:
        subs = con.sql(
            "SELECT trust_code, strftime(reporting_month, '%Y-%m') AS month, status, flow_run_id "
            "FROM etl_submission"
        ).fetchall()
        facts = con.sql("SELECT count(*) FROM fct_ward_stay_month").fetchone()
    loaded = {(t, m) for t, m, status, _ in subs if status == "loaded"}
    assert loaded == {(t, m) for t in SERVE_TRUSTS for m in ("2024-01", "2024-02")}
    assert {run for *_, run in subs} <= {str(first.id), str(again.id)}
    assert str(again.id) in {run for *_, run in subs}
    assert facts is not None and facts[0] > 0


def _registered(client, proc: subprocess.Popen[bytes], log: Path, seconds: float = 60):
    from prefect.exceptions import ObjectNotFound

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            return (
                client.read_deployment_by_name("mhsip-nightly/nightly"),
                client.read_deployment_by_name("mhsip-backfill/backfill"),
            )
        except ObjectNotFound:
            time.sleep(0.5)
    pytest.fail(f"deployments not registered:\n{log.read_text(errors='replace')}")


@pytest.mark.slow
def test_serve_stops_its_server_on_sigint(tmp_path: Path) -> None:
    home, log = tmp_path / "home", tmp_path / "serve.log"
    proc = _start_serve(home, tmp_path / "landing", log)
    try:
        port = int(_wait_for(log, API_LINE, proc, 120).group(2))
        _wait_for(log, re.compile("stop with Ctrl"), proc, 30)
        assert is_listening("127.0.0.1", port)
        _stop(proc, signal.SIGINT, port)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert "local Prefect server stopped" in log.read_text()
