"""The report's list of collected files kept unsorted (landing/collect/deliver.py): no trust,
dataset or month could be told for them, so they wait in `<landing>/_unsorted/` for a person
(docs/operations.md, "An unsorted message")."""

from __future__ import annotations

from collections.abc import Sequence

from report.html import table


def unsorted_html(items: Sequence[dict]) -> str:
    if not items:
        return ""
    keys = ("kept_at", "source", "item", "file_name", "rule", "detail")
    rows = [[str(item.get(k, "")) for k in keys] for item in items]
    return (
        f"<h2>Collected but unsorted ({len(items)})</h2><p>These files reached a source but "
        "could not be placed in the landing zone. Their bytes are kept; see the runbook for an "
        "unsorted message in docs/operations.md.</p>"
        + table(["Kept at", "Source", "Message or file", "File name", "Rule", "Why"], rows)
    )
