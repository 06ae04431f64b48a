"""What every channel offers the collector: list what is new, fetch one item, acknowledge it."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class Item:
    """One message or remote file waiting to be collected."""

    item_id: str  # the MESH message id, or the path on the remote source
    sender: str  # the sender mailbox id, or the trust folder on the source
    name: str  # the file name as sent
    size_bytes: int | None = None  # as listed, checked against the bytes fetched


class ItemNotCollected(Exception):  # noqa: N818 - a named outcome, not a crash
    """This item cannot be fetched now (incomplete, corrupt, not ours); it stays at its source
    and becomes a landing problem with `rule`."""

    def __init__(self, rule: str, detail: str) -> None:
        super().__init__(detail)
        self.rule = rule
        self.detail = detail


class Channel(Protocol):
    name: str
    secrets: list[str]  # credential values, to be scrubbed from any message
    senders_are_mailboxes: bool  # Item.sender is a MESH mailbox id (else a trust folder)

    def pending(self) -> Iterator[Item]: ...
    def fetch(self, item: Item) -> bytes: ...
    def acknowledge(self, item: Item) -> None: ...
    def close(self) -> None: ...


def redact(text: str, secrets: list[str]) -> str:
    """`text` with every credential value replaced by ***."""
    for value in secrets:
        if value:
            text = text.replace(value, "***")
    return text
