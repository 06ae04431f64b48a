"""`mhsip demo --via mesh`: the demo reached the way production reaches it. A local MESH
sandbox is started, each trust sends its generated extracts from its own sender mailbox
(`delivery.mesh_mailbox`) to the collaborative's mailbox, and the nightly collects them
before it loads: the same warehouse as `mhsip demo`, and the mailbox is left empty."""

from __future__ import annotations

import hashlib
import os
import secrets
import shutil
import tempfile
from datetime import date
from importlib.util import find_spec
from pathlib import Path

import yaml

from flows.settings import Settings
from mhsip.cli.commands import run_generate, run_nightly, run_report
from mhsip.cli.console import fail, out, registry_or_fail
from mhsip.cli.demo import copy_reference, demo_paths, demo_summary
from synthetic.mesh_sandbox import (
    COLLABORATIVE_MAILBOX,
    WORKFLOW_ID,
    SandboxServer,
    start_sandbox,
    write_sandbox_data,
)
from transforms.trust_config import Registry


def run_demo_via_mesh(settings: Settings, start: date, months: int, scale: float) -> dict:
    missing = [m for m in ("mesh_client", "mesh_sandbox", "uvicorn") if not find_spec(m)]
    if missing:
        fail(f"demo --via mesh needs {', '.join(missing)}: pip install -e '.[mesh-demo]'", 2)
    registry = registry_or_fail(settings)
    outgoing = settings.home / "outgoing"  # what the trusts send, before MESH carries it
    sandbox = Path(tempfile.mkdtemp(prefix="mhsip-mesh-sandbox-"))  # the server's own state
    out.print(f"[bold]mhsip demo via MESH[/bold] into {settings.home.resolve()} (synthetic data)")
    run_generate(settings, outgoing, start, months, None, scale, seed=42, faults=True)
    copy_reference(outgoing, settings)
    password = os.environ.get("MHSIP_MESH_PASSWORD") or secrets.token_urlsafe(18)
    shared_key = os.environ.get("MHSIP_MESH_SHARED_KEY") or secrets.token_urlsafe(18)
    senders = {code: str(t.delivery.mesh_mailbox) for code, t in registry.trusts.items()}
    write_sandbox_data(sandbox / "data", sorted(senders.values()), password)
    server = start_sandbox(
        sandbox / "data", sandbox / "store", shared_key, settings.logs / "mesh-sandbox.log"
    )
    try:
        sent = _send_all(server.url, outgoing, registry, senders, password, shared_key)
        out.print(
            f"sent {sent} messages from {len(senders)} trusts' MESH mailboxes "
            f"to {COLLABORATIVE_MAILBOX}"
        )
        sources = settings.home / "mesh-demo-sources.yaml"  # names no credential
        mesh = {
            "type": "mesh",
            "mailbox": COLLABORATIVE_MAILBOX,
            "url": server.url,
            "workflow_ids": [WORKFLOW_ID],
            "cert_env": None,
            "key_env": None,
            "ca_env": None,
        }
        sources.write_text(yaml.safe_dump({"sources": {"mesh": mesh}}), encoding="utf-8")
        os.environ.update(
            {
                "MHSIP_SOURCES": str(sources),
                "MHSIP_MESH_PASSWORD": password,
                "MHSIP_MESH_SHARED_KEY": shared_key,
            }
        )  # the flow reads its settings here
        # and the CLI's survey (whether a flow run is needed) from these: sources configured
        result = run_nightly(settings.model_copy(update={"sources": sources}), None)
        left = _inbox_count(server, password, shared_key)
    finally:
        server.stop()
        shutil.rmtree(sandbox, ignore_errors=True)
    demo_summary(result)
    out.print(f"MESH mailbox {COLLABORATIVE_MAILBOX}: {left} messages left after collecting")
    run_report(settings, None)
    demo_paths(settings)
    if left:
        fail(f"{left} messages were left in the mailbox; see the problems above")
    return result


def _send_all(
    url: str, outgoing: Path, registry: Registry, senders: dict[str, str], password: str,
    shared_key: str,
) -> int:  # fmt: skip
    from mesh_client import MeshClient

    sent = 0
    for code in sorted(registry.trusts):
        files = sorted(p for p in (outgoing / code).glob("*/*") if p.is_file())
        with MeshClient(url, senders[code], password, shared_key=shared_key.encode()) as client:
            client.handshake()
            for path in files:
                content = path.read_bytes()
                client.send_message(
                    COLLABORATIVE_MAILBOX, content, workflow_id=WORKFLOW_ID, filename=path.name,
                    checksum=f"sha256:{hashlib.sha256(content).hexdigest()}",
                )  # fmt: skip
                sent += 1
    return sent


def _inbox_count(server: SandboxServer, password: str, shared_key: str) -> int:
    from mesh_client import MeshClient

    with MeshClient(
        server.url, COLLABORATIVE_MAILBOX, password, shared_key=shared_key.encode()
    ) as c:
        return len(list(c.iterate_message_ids()))
