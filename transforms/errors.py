"""Exceptions that carry a named rule, so every rejection can be explained to the trust."""

from __future__ import annotations


class FileRejected(Exception):  # noqa: N818 - reads as the outcome it reports
    """The whole file is rejected under `rule` (a name from expectations.rules.RULES)."""

    def __init__(self, rule: str, message: str) -> None:
        super().__init__(f"{rule}: {message}")
        self.rule = rule
        self.message = message
