"""A run's alerts: collect what needs a person, send one digest, never fail the run for it.

Email (MHSIP_ALERT_SMTP, MHSIP_ALERT_TO; each trust's `data_lead_email` gets its own trust's
rejections and lateness) and a webhook (MHSIP_ALERT_WEBHOOK, through Prefect's custom-webhook
notification block). A message that cannot be sent is logged and kept in
MHSIP_HOME/alerts/outbox for the next run. Composition is pure: `alerts/`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from alerts import compose, outbox
from alerts.channels import SmtpConfig, post_webhook, send_email
from alerts.digest import Alert, Digest, screen, webhook_payload
from flows.run_context import current_flow_run_id, run_logger
from flows.settings import Settings

if TYPE_CHECKING:
    from flows.runs import Run, RunReport


def _logger() -> Any:
    return run_logger("mhsip.alerts")


@dataclass
class RunAlerts:
    settings: Settings
    run: str
    alerts: list[Alert] = field(default_factory=list)
    leads: dict[str, str] = field(default_factory=dict)  # trust -> data lead's address
    collected: bool = False

    def could_not_start(self, reason: object) -> None:
        self.alerts.append(Alert("run_could_not_start", screen(reason), rule="run_not_started"))

    def collect(self, report: RunReport, run: Run, lateness: bool = False) -> None:
        """Everything in the run's summary that needs a person, plus quarantine spikes and (the
        nightly) submissions late past the due day."""
        self.collected = True
        self.leads = {t: c.data_lead_email for t, c in run.registry.trusts.items()
                      if c.data_lead_email}  # fmt: skip
        summary = report.as_dict()
        self.alerts += compose.run_alerts(summary)
        self.alerts += compose.quarantine_alerts(summary["files"], _earlier_shares(run, summary))
        if lateness:
            self.alerts += self._new_late(run)

    def _new_late(self, run: Run) -> list[Alert]:
        latest = run.warehouse.latest_submissions()
        received = {(str(t), date(m.year, m.month, 1)) for t, m in
                    zip(latest["trust_code"], latest["reporting_month"], strict=True)}  # fmt: skip
        late = compose.late_alerts(run.registry.trusts, received, date.today(),
                                   self.settings.due_day)  # fmt: skip
        path = self.settings.home / "alerts" / "announced.json"
        before = outbox.announced(path)
        fresh = [a for a in late if f"late:{a.trust_code}:{a.month}" not in before]
        outbox.remember(path, before | {f"late:{a.trust_code}:{a.month}" for a in late})
        return fresh


def _earlier_shares(run: Run, summary: dict) -> dict[tuple[str, str], list[float]]:
    """Quarantined share of each trust's earlier loaded files, by (trust, dataset)."""
    now = {f["submission_id"] for f in summary["files"]}
    if not summary["files"]:
        return {}
    frame = run.warehouse.query(
        "SELECT trust_code, dataset, submission_id, rows_received, rows_quarantined "
        "FROM etl_submission WHERE status IN ('loaded', 'superseded') AND rows_received > 0"
    )
    shares: dict[tuple[str, str], list[float]] = {}
    for trust, dataset, submission, received, quarantined in frame.itertuples(index=False):
        if submission not in now:
            key = (str(trust), str(dataset))
            shares.setdefault(key, []).append(float(quarantined) / float(received))
    return shares


@contextmanager
def alerting(settings: Settings, run: str) -> Iterator[RunAlerts]:
    """Yields the run's collector; on the way out (also when the run raised) sends the digest."""
    collector = RunAlerts(settings, run)
    try:
        yield collector
    except Exception as exc:
        reason = f"{type(exc).__name__}: {screen(exc)}"
        if collector.collected:
            collector.alerts.append(Alert("run_failed", reason, rule="run_crashed"))
        else:
            collector.could_not_start(reason)
        raise
    finally:
        deliver(settings, Digest(run, current_flow_run_id(),
                                 collector.alerts), collector.leads)  # fmt: skip


def deliver(settings: Settings, digest: Digest, leads: dict[str, str]) -> None:
    """Send what the outbox holds, then this digest by each configured channel. Never raises."""
    log = _logger()
    folder = settings.home / "alerts" / "outbox"
    try:
        left = outbox.retry(folder, lambda m: _send(settings, m), log.warning)
        if left:
            log.warning(
                "%d earlier alert messages still not delivered; kept for the next run", left
            )
    except Exception as exc:  # a corrupt outbox must not stop the run's own digest
        log.warning("alert outbox not readable (%s)", exc)
    for message in _messages(settings, digest, leads):
        try:
            _send(settings, message)
            log.info("alert digest sent by %s", message["channel"])
        except Exception as exc:
            log.warning("alert digest by %s not sent (%s: %s); kept for the next run",
                        message["channel"], type(exc).__name__, screen(exc))  # fmt: skip
            try:
                outbox.keep(folder, message)
            except Exception as keep_error:
                log.warning("alert digest could not be kept either (%s)", keep_error)


def _messages(settings: Settings, digest: Digest, leads: dict[str, str]) -> list[dict]:
    if not digest.alerts:
        return []
    found: list[dict[str, Any]] = []
    if settings.alert_smtp and settings.alert_recipients:
        found.append({"channel": "email", "to": settings.alert_recipients,
                      "subject": digest.subject(), "body": digest.text()})  # fmt: skip
    for trust, address in sorted(leads.items()):
        mine = digest.for_trust(trust)
        if settings.alert_smtp and mine.alerts:
            found.append({"channel": "email", "to": [address], "subject": mine.subject(),
                          "body": mine.text()})  # fmt: skip
    if settings.alert_webhook:
        found.append({"channel": "webhook", "payload": webhook_payload(digest)})
    return found


def _send(settings: Settings, message: dict) -> None:
    if message["channel"] == "email":
        send_email(_smtp(settings), message["to"], message["subject"], message["body"])
    elif settings.alert_webhook:  # the URL is a secret: never kept in the outbox
        post_webhook(settings.alert_webhook.get_secret_value(), message["payload"])
    else:
        raise RuntimeError("MHSIP_ALERT_WEBHOOK is no longer set")


def _smtp(settings: Settings) -> SmtpConfig:
    if not settings.alert_smtp:
        raise RuntimeError("MHSIP_ALERT_SMTP is no longer set")
    password = settings.alert_smtp_password
    return SmtpConfig(
        settings.alert_smtp, settings.alert_from, settings.alert_smtp_starttls,
        settings.alert_smtp_user, password.get_secret_value() if password else None,
    )  # fmt: skip
