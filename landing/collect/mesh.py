"""The MESH channel: the collaborative's mailbox, read with NHS England's `mesh-client`.

Each message in the inbox is one file a trust sent (MESH splits a large one into chunks, which
the client joins). A message is acknowledged (which deletes it from MESH) only by the collector,
after its bytes are archived and landed. A message whose chunks do not assemble, whose checksum
does not match, or whose workflow id is not ours, stays in the mailbox.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator

import requests
from mesh_client import MeshClient

from landing.collect.channel import Item, ItemNotCollected
from landing.collect.sources import MeshSource, optional_secret, secret


class MeshChannel:
    senders_are_mailboxes = True

    def __init__(self, name: str, source: MeshSource, timeout: float = 60.0) -> None:
        self.name, self.source = name, source
        password = secret(source.password_env, f"source {name}") or ""
        shared_key = secret(source.shared_key_env, f"source {name}") or ""
        self.secrets = [password, shared_key]
        cert_path, key_path = optional_secret(source.cert_env), optional_secret(source.key_env)
        ca_path = optional_secret(source.ca_env)
        cert = (cert_path, key_path) if cert_path and key_path else None
        # None lets mesh-client use the CA bundle it ships for NHS England's own endpoints
        verify: str | bool | None = ca_path or (None if source.verify else False)
        self.client = MeshClient(
            source.url, source.mailbox, password, shared_key=shared_key.encode(),
            cert=cert, verify=verify, max_retries=0, timeout=timeout, application_name="mhsip",
        )  # fmt: skip
        try:
            self.client.handshake()
        except BaseException:
            self.client.close()
            raise
        self._messages: dict[str, object] = {}

    def pending(self) -> Iterator[Item]:
        for message_id in list(self.client.iterate_message_ids()):
            yield self._describe(message_id)

    def _describe(self, message_id: str) -> Item:
        try:
            message = self.client.retrieve_message(message_id)
        except requests.HTTPError as exc:
            message = None
            if exc.response is None or exc.response.status_code != 404:
                raise
        self._messages[message_id] = message
        sender = str(getattr(message, "sender", "") or "")
        name = str(getattr(message, "filename", "") or "")
        return Item(message_id, sender, name)

    def fetch(self, item: Item) -> bytes:
        message = self._messages.pop(item.item_id, None)
        if message is None:
            raise ItemNotCollected("mesh_message_gone", "the message could not be retrieved")
        workflow = getattr(message, "workflow_id", None)
        if self.source.workflow_ids and workflow not in self.source.workflow_ids:
            message.close()  # type: ignore[attr-defined]
            raise ItemNotCollected(
                "mesh_unexpected_workflow",
                f"workflow id {workflow!r} is not one of {', '.join(self.source.workflow_ids)}; "
                "left in the mailbox",
            )
        chunks = str(message.mex_header("chunk-range", "1:1"))  # type: ignore[attr-defined]
        try:
            content: bytes = message.read()  # type: ignore[attr-defined]
        except requests.HTTPError as exc:
            raise ItemNotCollected(
                "mesh_chunks_incomplete",
                f"a chunk of the message (chunks {chunks}) could not be retrieved "
                f"({exc.response.status_code if exc.response is not None else 'no answer'}); "
                "left in the mailbox",
            ) from None
        finally:
            message.close()  # type: ignore[attr-defined]
        _check_checksum(content, getattr(message, "checksum", None))
        return content

    def acknowledge(self, item: Item) -> None:
        self.client.acknowledge_message(item.item_id)

    def close(self) -> None:
        self.client.close()


def _check_checksum(content: bytes, declared: str | None) -> None:
    """A sender's `Mex-Content-Checksum` of the form `sha256:<hex>` or `md5:<hex>` is checked;
    any other form is the sender's own business and ignored."""
    if not declared or ":" not in declared:
        return
    algorithm, _, expected = declared.partition(":")
    algorithm = algorithm.strip().lower().replace("-", "")
    if algorithm not in {"sha256", "md5"}:
        return
    actual = hashlib.new(algorithm, content).hexdigest()
    if actual != expected.strip().lower():
        raise ItemNotCollected(
            "checksum_mismatch",
            f"the bytes received do not match the sender's {algorithm} checksum; "
            "left in the mailbox",
        )
