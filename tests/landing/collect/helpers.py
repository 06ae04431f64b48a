"""Sending a generated month the way a trust would, and the sources file the tests use."""

from __future__ import annotations

import hashlib
from datetime import date
from pathlib import Path

from mesh_client import MeshClient

from synthetic import generate
from synthetic.mesh_sandbox import COLLABORATIVE_MAILBOX, WORKFLOW_ID
from tests.landing.collect.servers import MESH_PASSWORD, MESH_SHARED_KEY
from transforms.trust_config import Registry


def month_files(root: Path, registry: Registry, trust: str, month: date) -> list[Path]:
    """One generated month of `trust` (no faults), as files on disk."""
    generate(root, registry, month, 1, [trust], scale=0.1, seed=5, faults=False)
    return sorted((root / trust / f"{month:%Y-%m}").iterdir())


def mesh_send(url: str, sender: str, content: bytes, name: str, chunk: int | None = None) -> str:
    with MeshClient(url, sender, MESH_PASSWORD, shared_key=MESH_SHARED_KEY.encode()) as client:
        client.handshake()
        return client.send_message(
            COLLABORATIVE_MAILBOX, content, workflow_id=WORKFLOW_ID, filename=name,
            checksum=f"sha256:{hashlib.sha256(content).hexdigest()}", max_chunk_size=chunk,
        )  # fmt: skip


def mesh_inbox(url: str) -> list[str]:
    with MeshClient(
        url, COLLABORATIVE_MAILBOX, MESH_PASSWORD, shared_key=MESH_SHARED_KEY.encode()
    ) as client:
        return list(client.iterate_message_ids())


def mesh_source(url: str) -> dict:
    return {
        "type": "mesh", "mailbox": COLLABORATIVE_MAILBOX, "url": url,
        "workflow_ids": [WORKFLOW_ID], "cert_env": None, "key_env": None, "ca_env": None,
    }  # fmt: skip


def sftp_source(port: int) -> dict:
    return {
        "type": "sftp", "host": "127.0.0.1", "port": port, "username": "trustdrop",
        "base_path": "/inbound", "key_env": None,
    }  # fmt: skip


def s3_source(endpoint: str, bucket: str) -> dict:
    return {"type": "s3", "bucket": bucket, "prefix": "extracts", "endpoint_url": endpoint}
