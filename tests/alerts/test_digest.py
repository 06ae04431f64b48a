"""Composing the digest: what each alert says, who gets it, and that no identifier passes."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from alerts import outbox
from alerts.compose import last_due_month, late_alerts, quarantine_alerts, run_alerts
from alerts.digest import Digest, screen, webhook_payload

SUMMARY = {
    "files": [
        {"trust_code": "RX2", "reporting_month": "2024-03", "dataset": "ward_stays",
         "status": "rejected", "rejection_rule": "missing_required_columns",
         "rejection_reason": "no column 'Ward stay' (ward_stay_id); value 485 777 3456 seen",
         "rows_received": 0, "rows_quarantined": 0, "submission_id": "a"},
        {"trust_code": "RH5", "reporting_month": "2024-03", "dataset": "ward_stays",
         "status": "loaded", "rows_received": 100, "rows_quarantined": 30, "submission_id": "b"},
    ],
    "failures": [{"partition": "RXY 2024-03", "error": "OSError: disk full, born 1990-02-03"}],
    "problems": [{"path": "ZZ9/2024-03/x.csv", "rule": "unknown_trust", "detail": "no YAML"}],
}  # fmt: skip


def test_screen_withholds_nhs_shaped_numbers_and_full_dates_only() -> None:
    assert screen("4857773456 and 485-777-3456 in 2024-03") == (
        "[withheld] and [withheld] in 2024-03"
    )
    assert screen("born 03/02/1990 or 1990-02-03\nnext") == "born [withheld] or [withheld] next"
    assert screen("12 rows of 345") == "12 rows of 345"
    assert len(screen("x" * 1000)) == 300


def test_one_digest_names_trust_month_rule_and_runbook_per_alert() -> None:
    alerts = run_alerts(SUMMARY) + quarantine_alerts(
        SUMMARY["files"], {("RH5", "ward_stays"): [0.02, 0.03, 0.01]}
    )
    digest = Digest("nightly", "run-1", alerts)
    text = digest.text()
    assert digest.subject() == (
        "mhsip nightly: 1 rejected files, 1 trust-months failed, "
        "1 landing zone problems, 1 quarantined rows above the trust's usual share"
    )
    assert "- RX2 2024-03 ward_stays [missing_required_columns]: no column" in text
    assert "- RXY 2024-03 [OSError]: OSError: disk full, born [withheld]" in text
    assert "- RH5 2024-03 ward_stays [quarantine_share]: 30 of 100 rows quarantined (30%)" in text
    for anchor in ("rejected-file", "run-failed", "landing-problem", "quarantine-above-usual"):
        assert f"Runbook: docs/runbooks/alerts.md#{anchor}" in text
        assert f"## {anchor}" in Path("docs/runbooks/alerts.md").read_text()
    assert "485 777 3456" not in text and "1990-02-03" not in text


def test_a_data_lead_gets_their_trusts_rejections_and_lateness_only() -> None:
    late = late_alerts(["RX2", "RH5"], {("RH5", date(2024, 9, 1))}, date(2024, 10, 16), 15)
    digest = Digest("nightly", None, run_alerts(SUMMARY) + late)
    mine = digest.for_trust("RX2")
    assert [(a.kind, a.month) for a in mine.alerts] == [
        ("rejected_file", "2024-03"), ("late_submission", "2024-09")
    ]  # fmt: skip
    assert digest.for_trust("RXY").alerts == []  # a failure is for the operators


def test_lateness_is_judged_on_the_last_month_past_its_due_day() -> None:
    assert last_due_month(date(2024, 10, 15), 15) == date(2024, 8, 1)
    assert last_due_month(date(2024, 10, 16), 15) == date(2024, 9, 1)
    assert last_due_month(date(2024, 1, 20), 15) == date(2023, 12, 1)


def test_no_usual_share_without_history_and_small_counts_never_alert() -> None:
    files = SUMMARY["files"]
    assert quarantine_alerts(files, {("RH5", "ward_stays"): [0.02, 0.03]}) == []
    assert quarantine_alerts(files, {("RH5", "ward_stays"): [0.2, 0.25, 0.3]}) == []


def test_the_webhook_body_serves_slack_text_and_a_teams_card() -> None:
    body = webhook_payload(Digest("backfill", None, run_alerts(SUMMARY)))
    assert body["text"].startswith("mhsip backfill: 1 rejected files")
    card = body["attachments"][0]
    assert card["contentType"] == "application/vnd.microsoft.card.adaptive"
    assert card["content"]["type"] == "AdaptiveCard"
    json.dumps(body)


def test_the_outbox_keeps_owner_only_messages_and_retries_them(tmp_path: Path) -> None:
    folder = tmp_path / "outbox"
    path = outbox.keep(folder, {"channel": "email", "to": ["a@b"], "subject": "s", "body": "b"})
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    logged: list[str] = []

    def failing(message: dict) -> None:
        raise OSError("refused")

    assert outbox.retry(folder, failing, logged.append) == 1
    assert json.loads(path.read_text())["attempts"] == 2
    sent: list[dict] = []
    assert outbox.retry(folder, sent.append, logged.append) == 0
    assert [m["to"] for m in sent] == [["a@b"]] and list(folder.iterdir()) == []


def test_screen_also_withholds_the_read_steps_nhs_number_shapes() -> None:
    """Dotted, slashed and underscored NHS numbers (transforms.screening) are withheld too."""
    assert screen("ids 943.476.5919, 943/476/5919 and 943_476_5919") == (
        "ids [withheld], [withheld] and [withheld]"
    )
