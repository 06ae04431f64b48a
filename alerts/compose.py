"""Which alerts a run raises, from its summary and the warehouse's figures (pure functions)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from statistics import median
from typing import Any

from alerts.digest import Alert

MIN_HISTORY = 3  # earlier loaded files a trust needs before its "usual share" means anything
MIN_QUARANTINED = 5  # rows: a few quarantined rows are never a spike


def run_alerts(summary: Mapping[str, Any]) -> list[Alert]:
    """Rejected files, failed trust-months and landing problems of one run's summary."""
    found = [
        Alert("rejected_file", str(f.get("rejection_reason") or "rejected"), f["trust_code"],
              f["reporting_month"], f["dataset"], f.get("rejection_rule"))
        for f in summary.get("files", []) if f.get("status") == "rejected"
    ]  # fmt: skip
    for failure in summary.get("failures", []):
        trust, _, month = str(failure["partition"]).partition(" ")
        error = str(failure.get("error", ""))
        rule = error.split(":", 1)[0] if ":" in error else None
        found.append(Alert("run_failed", error, trust, month or None, None, rule))
    found += [
        Alert("landing_problem", f"{p['path']}: {p['detail']}", rule=p["rule"])
        for p in summary.get("problems", [])
    ]
    return found


def quarantine_alerts(
    files: Iterable[Mapping[str, Any]], earlier_shares: Mapping[tuple[str, str], Sequence[float]]
) -> list[Alert]:
    """Loaded files whose quarantined share is over twice the trust's usual (median) share for
    that dataset and at least five points above it; `earlier_shares` by (trust, dataset)."""
    found = []
    for f in files:
        received, quarantined = int(f["rows_received"]), int(f["rows_quarantined"])
        if f.get("status") != "loaded" or received == 0 or quarantined < MIN_QUARANTINED:
            continue
        history = earlier_shares.get((f["trust_code"], f["dataset"]), ())
        if len(history) < MIN_HISTORY:
            continue
        usual, share = median(history), quarantined / received
        if share > 2 * usual and share > usual + 0.05:
            what = (f"{quarantined} of {received} rows quarantined ({share:.0%}); "
                    f"usually {usual:.0%}")  # fmt: skip
            found.append(Alert("quarantine_above_usual", what, f["trust_code"],
                               f["reporting_month"], f["dataset"], "quarantine_share"))  # fmt: skip
    return found


def last_due_month(today: date, due_day: int) -> date:
    """The latest month whose submission was due before today (due on `due_day` of the next)."""
    month = date(today.year, today.month, 1)
    for _ in range(3):
        month = date(month.year - (month.month == 1), (month.month - 2) % 12 + 1, 1)
        due = date(month.year + month.month // 12, month.month % 12 + 1, due_day)
        if today > due:
            return month
    raise AssertionError("a month two back is always due")


def late_alerts(
    trusts: Iterable[str], received: set[tuple[str, date]], today: date, due_day: int
) -> list[Alert]:
    """Trusts with nothing received for the last month that is past its due day."""
    month = last_due_month(today, due_day)
    return [
        Alert("late_submission", f"nothing received; it was due on day {due_day} of the next "
              "month", trust, f"{month:%Y-%m}", None, "late_submission")
        for trust in sorted(trusts) if (trust, month) not in received
    ]  # fmt: skip
