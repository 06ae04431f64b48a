"""Real receivers on 127.0.0.1 for the alert tests: an SMTP server (aiosmtpd) and an HTTP
server standing in for a Teams or Slack incoming webhook (it records each POST's JSON body)."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from email import message_from_bytes, policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Inbox:
    def __init__(self) -> None:
        self.messages: list[tuple[list[str], EmailMessage, bytes]] = []

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802 - aiosmtpd's name
        raw = bytes(envelope.original_content or envelope.content)
        self.messages.append(
            (list(envelope.rcpt_tos), message_from_bytes(raw, policy=policy.default), raw)
        )  # type: ignore[arg-type]
        return "250 OK"


@contextmanager
def smtp_server(port: int | None = None) -> Iterator[tuple[Inbox, str]]:
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port or free_port())
    controller.start()
    try:
        yield inbox, f"smtp://127.0.0.1:{controller.port}"
    finally:
        controller.stop()


@contextmanager
def webhook_receiver() -> Iterator[tuple[list[dict], str]]:
    bodies: list[dict] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", 0))
            bodies.append(json.loads(self.rfile.read(length)))
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"1")

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield bodies, f"http://127.0.0.1:{server.server_address[1]}/hook/secret-token"
    finally:
        server.shutdown()
        server.server_close()
