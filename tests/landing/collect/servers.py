"""Real servers on 127.0.0.1 for the collect tests: NHS Digital's MESH sandbox (a child
process), an SFTP server (asyncssh's, in a thread) and moto's S3 server (in a thread)."""

from __future__ import annotations

import asyncio
import threading
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import asyncssh
from moto.server import ThreadedMotoServer

from synthetic.mesh_sandbox import free_port, start_sandbox, write_sandbox_data

# Distinctive values, so a test can search every file for them.
MESH_PASSWORD = "mesh-pw-Q7xK2vZr9"
MESH_SHARED_KEY = "mesh-sk-W4nB8pLt3"
SFTP_USER = "trustdrop"
SFTP_PASSWORD = "sftp-pw-H5mJ1cYe6"
S3_KEY_ID = "AKIAMHSIPTEST0001"
S3_SECRET = "s3-secret-R2dG6wNq8"
SENDERS = ["RX2OT001", "RNUOT001", "RJ8OT001", "X99OT999"]  # the last is no trust's


@contextmanager
def mesh_sandbox(root: Path) -> Iterator[str]:
    write_sandbox_data(root / "data", SENDERS, MESH_PASSWORD)
    server = start_sandbox(root / "data", root / "store", MESH_SHARED_KEY, root / "sandbox.log")
    try:
        yield server.url
    finally:
        server.stop()


class _Server(asyncssh.SSHServer):
    def begin_auth(self, username: str) -> bool:
        return True

    def password_auth_supported(self) -> bool:
        return True

    def validate_password(self, username: str, password: str) -> bool:
        return username == SFTP_USER and password == SFTP_PASSWORD


@dataclass
class SftpServer:
    port: int
    root: Path


@contextmanager
def sftp_server(root: Path) -> Iterator[SftpServer]:
    """An SFTP server whose clients see `root` as `/`."""
    root.mkdir(parents=True, exist_ok=True)
    loop = asyncio.new_event_loop()
    started = threading.Event()
    holder: dict = {}

    async def listen() -> None:
        key = asyncssh.generate_private_key("ssh-ed25519")
        holder["server"] = await asyncssh.listen(
            "127.0.0.1", 0, server_factory=_Server, server_host_keys=[key],
            sftp_factory=lambda chan: asyncssh.SFTPServer(chan, chroot=str(root).encode()),
        )  # fmt: skip
        holder["port"] = holder["server"].sockets[0].getsockname()[1]
        started.set()

    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    asyncio.run_coroutine_threadsafe(listen(), loop)
    assert started.wait(20), "the SFTP server did not start"
    try:
        yield SftpServer(holder["port"], root)
    finally:
        loop.call_soon_threadsafe(holder["server"].close)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)


@contextmanager
def s3_server() -> Iterator[str]:
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port)
    server.start()
    url = f"http://127.0.0.1:{port}"
    # moto keeps its buckets per process, not per server: start every test from none
    urllib.request.urlopen(urllib.request.Request(f"{url}/moto-api/reset", method="POST"))
    try:
        yield url
    finally:
        server.stop()


def s3_env(endpoint: str) -> dict[str, str]:
    """What a process needs to reach the local S3 server through s3fs (botocore reads these)."""
    return {
        "AWS_ENDPOINT_URL": endpoint, "AWS_ACCESS_KEY_ID": S3_KEY_ID,
        "AWS_SECRET_ACCESS_KEY": S3_SECRET, "AWS_DEFAULT_REGION": "us-east-1",
        "MHSIP_S3_ACCESS_KEY_ID": S3_KEY_ID, "MHSIP_S3_SECRET_ACCESS_KEY": S3_SECRET,
    }  # fmt: skip
