"""The run's digest: what happened, where, and what to do; no patient identifier ever.

Pure: built from the run's summary (trust, month, dataset, rule, reason, counts) and a few
warehouse figures. Every free text is screened again before it is sent (`screen`): anything
shaped like an NHS number (the read step's shapes, `transforms.screening`, plus any ten digits
with single spaces or dashes) or a full date is withheld, so even a reason that quoted a value by
mistake carries no identifier or date of birth. Each alert names its runbook section.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Final, Literal

from transforms.screening import compiled

Kind = Literal[
    "run_could_not_start", "run_failed", "rejected_file", "quarantine_above_usual",
    "late_submission", "landing_problem",
]  # fmt: skip
RUNBOOK: Final = "docs/runbooks/alerts.md"
TODO: Final[dict[str, str]] = {
    "run_could_not_start": "fix the reason given, then run `mhsip nightly` (or wait for tonight)",
    "run_failed": "read the error; the next run retries these trust-months by itself",
    "rejected_file": "the trust's data lead corrects the file and sends it again",
    "quarantine_above_usual": "check the quarantined rows' rules with the trust's data lead",
    "late_submission": "ask the trust's data lead when the extract will arrive",
    "landing_problem": "move or rename the item in the landing zone, or onboard the sender",
}
TITLE: Final[dict[str, str]] = {
    "run_could_not_start": "Run could not start",
    "run_failed": "Trust-months failed",
    "rejected_file": "Rejected files",
    "quarantine_above_usual": "Quarantined rows above the trust's usual share",
    "late_submission": "Late submissions",
    "landing_problem": "Landing zone problems",
}
FOR_TRUST_LEADS: Final = {"rejected_file", "late_submission"}
WITHHELD: Final = "[withheld]"
_NHS_LIKE = re.compile(r"(?<!\d)\d(?:[ -]?\d){9}(?!\d)")
_FULL_DATE = re.compile(
    r"(?<!\d)(?:\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4})(?!\d)"
)
_MAX_TEXT = 300


def screen(text: object) -> str:
    """One line, at most 300 characters, with NHS-number-shaped runs and full dates withheld."""
    line = " ".join(str(text).split())
    line = compiled(None).sub(WITHHELD, line)  # the pipeline's own NHS-number shapes (dots, ...)
    line = _FULL_DATE.sub(WITHHELD, _NHS_LIKE.sub(WITHHELD, line))
    return line if len(line) <= _MAX_TEXT else line[: _MAX_TEXT - 3] + "..."


@dataclass(frozen=True)
class Alert:
    kind: Kind
    what: str
    trust_code: str | None = None
    month: str | None = None
    dataset: str | None = None
    rule: str | None = None

    @property
    def runbook(self) -> str:
        return f"{RUNBOOK}#{self.kind.replace('_', '-')}"

    def line(self) -> str:
        where = " ".join(p for p in (self.trust_code, self.month, self.dataset) if p)
        rule = f" [{self.rule}]" if self.rule else ""
        return f"- {where}{rule}: {screen(self.what)}" if where else f"-{rule} {screen(self.what)}"


@dataclass
class Digest:
    run: str  # "nightly" or "backfill"
    flow_run: str | None = None
    alerts: list[Alert] = field(default_factory=list)

    def for_trust(self, trust_code: str) -> Digest:
        """What a trust's data lead receives: that trust's rejections and lateness only."""
        mine = [a for a in self.alerts if a.trust_code == trust_code and a.kind in FOR_TRUST_LEADS]
        return Digest(self.run, self.flow_run, mine)

    def subject(self) -> str:
        counts: dict[str, int] = {}
        for alert in self.alerts:
            counts[alert.kind] = counts.get(alert.kind, 0) + 1
        parts = ", ".join(f"{n} {TITLE[k].lower()}" for k, n in counts.items())
        return f"mhsip {self.run}: {parts}" if parts else f"mhsip {self.run}: nothing to act on"

    def text(self) -> str:
        lines = [self.subject(), ""]
        if self.flow_run:
            lines += [f"Prefect flow run: {self.flow_run}", ""]
        for kind, title in TITLE.items():
            group = [a for a in self.alerts if a.kind == kind]
            if not group:
                continue
            lines += [f"{title} ({len(group)})", f"What to do: {TODO[kind]}.",
                      f"Runbook: {group[0].runbook}"]  # fmt: skip
            lines += [a.line() for a in group]
            lines.append("")
        lines.append("This digest carries no patient identifiers; details are in `mhsip status`.")
        return "\n".join(lines)


def webhook_payload(digest: Digest) -> dict:
    """One JSON body for both incoming webhooks: Slack (and Teams' older connectors) read
    `text`; Teams' Workflows webhook reads the Adaptive Card in `attachments`."""
    text = digest.text()
    card = {
        "type": "AdaptiveCard", "version": "1.4",
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "body": [
            {"type": "TextBlock", "text": digest.subject(), "weight": "Bolder", "wrap": True},
            {"type": "TextBlock", "text": text, "wrap": True, "fontType": "Monospace"},
        ],
    }  # fmt: skip
    return {
        "text": text,
        "attachments": [
            {"contentType": "application/vnd.microsoft.card.adaptive", "content": card}
        ],
    }
