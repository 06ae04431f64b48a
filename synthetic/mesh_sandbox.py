"""A local MESH server (NHS Digital's `mesh-sandbox`, run with uvicorn) with one sender mailbox
per trust and the collaborative's own mailbox, for `mhsip demo --via mesh` and the tests.

The sandbox ships three fixed test mailboxes; `python -m synthetic.mesh_sandbox` starts it with
the mailboxes and workflow of `write_sandbox_data` instead (its file store keeps messages on
disk under the store folder, `<store>/<recipient>/in/<message id>/<chunk>`).
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterable
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

COLLABORATIVE_MAILBOX = "X26MHSIP01"
WORKFLOW_ID = "MHSIP_RP_EXTRACT"


@dataclass
class SandboxServer:
    url: str
    store: Path
    process: subprocess.Popen

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)


def write_sandbox_data(folder: Path, senders: Iterable[str], password: str) -> None:
    """mailboxes.jsonl and workflows.jsonl: each sender may send WORKFLOW_ID to the
    collaborative's mailbox."""
    folder.mkdir(parents=True, exist_ok=True)
    boxes = [COLLABORATIVE_MAILBOX, *senders]
    lines = [
        json.dumps({"mailbox_id": box, "mailbox_name": box, "billing_entity": "England",
                    "ods_code": box[:3], "org_code": box[:3], "password": password})
        for box in boxes
    ]  # fmt: skip
    (folder / "mailboxes.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    workflow = {"workflow_id": WORKFLOW_ID, "senders": list(senders),
                "receivers": [COLLABORATIVE_MAILBOX]}  # fmt: skip
    (folder / "workflows.jsonl").write_text(json.dumps(workflow) + "\n", encoding="utf-8")


def free_port() -> int:
    with closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_sandbox(
    data: Path, store: Path, shared_key: str, log: Path, timeout: float = 60.0
) -> SandboxServer:
    """Start the sandbox on a free port of 127.0.0.1 and wait until /health answers."""
    port = free_port()
    env = os.environ | {
        "STORE_MODE": "file", "FILE_STORE_DIR": str(store), "MAILBOXES_DATA_DIR": str(store),
        "AUTH_MODE": "full", "SHARED_KEY": shared_key, "MHSIP_SANDBOX_DATA": str(data),
    }  # fmt: skip
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("ab") as out:
        process = subprocess.Popen(  # noqa: S603 - our own interpreter and module
            [sys.executable, "-m", "synthetic.mesh_sandbox", str(port)],
            env=env, stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
    server = SandboxServer(f"http://127.0.0.1:{port}", store, process)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the MESH sandbox exited with {process.returncode}; see {log}")
        try:
            with urllib.request.urlopen(f"{server.url}/health", timeout=2):  # noqa: S310
                return server
        except OSError:
            time.sleep(0.2)
    server.stop()
    raise RuntimeError(f"the MESH sandbox did not answer within {timeout:.0f} s; see {log}")


def _serve(port: int) -> None:
    import uvicorn
    from mesh_sandbox.store import canned_store

    data = os.environ["MHSIP_SANDBOX_DATA"]
    initialise = canned_store.CannedStore.initialise

    def with_our_mailboxes(self: canned_store.CannedStore) -> None:
        self._canned_data_dir = data
        initialise(self)

    canned_store.CannedStore.initialise = with_our_mailboxes  # type: ignore[method-assign]
    from mesh_sandbox.api import app

    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning")


if __name__ == "__main__":
    _serve(int(sys.argv[1]))
