"""Sending a digest: email over SMTP (STARTTLS, login) and a webhook through Prefect's
`CustomWebhookNotificationBlock`. Each raises on failure; the caller keeps what was not sent."""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass, field
from email.message import EmailMessage
from urllib.parse import urlsplit

TIMEOUT_SECONDS = 10.0


@dataclass(frozen=True)
class SmtpConfig:
    """From MHSIP_ALERT_SMTP=smtp://host:port, MHSIP_ALERT_FROM, MHSIP_ALERT_SMTP_STARTTLS,
    MHSIP_ALERT_SMTP_USER and MHSIP_ALERT_SMTP_PASSWORD."""

    url: str
    sender: str
    starttls: bool = False
    user: str | None = None
    password: str | None = field(default=None, repr=False)

    @property
    def host_port(self) -> tuple[str, int]:
        parts = urlsplit(self.url)
        if parts.scheme not in {"smtp", "smtps"} or not parts.hostname:
            raise ValueError("MHSIP_ALERT_SMTP must look like smtp://host:port")
        return parts.hostname, parts.port or (465 if parts.scheme == "smtps" else 25)


def send_email(config: SmtpConfig, to: list[str], subject: str, body: str) -> None:
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = config.sender, ", ".join(to), subject
    message.set_content(body)
    host, port = config.host_port
    smtp_class = smtplib.SMTP_SSL if config.url.startswith("smtps:") else smtplib.SMTP
    with smtp_class(host, port, timeout=TIMEOUT_SECONDS) as smtp:
        if config.starttls:
            smtp.starttls(context=ssl.create_default_context())
        if config.user:
            smtp.login(config.user, config.password or "")
        smtp.send_message(message)


def post_webhook(url: str, payload: dict) -> None:
    """POST the JSON body with Prefect's custom-webhook notification block (not saved: built
    here from the setting, so it needs no Prefect API); raises on an HTTP error status."""
    from prefect.blocks.notifications import CustomWebhookNotificationBlock

    block = CustomWebhookNotificationBlock(
        name="mhsip-alerts", url="{{webhook_url}}", json_data=_escaped(payload),
        secrets={"webhook_url": url}, timeout=TIMEOUT_SECONDS,
    )  # fmt: skip
    block.notify(body="", subject="")


def _escaped(value: object) -> object:
    """The block substitutes `{{name}}` placeholders in every string: keep digest text literal."""
    if isinstance(value, dict):
        return {k: _escaped(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_escaped(v) for v in value]
    if isinstance(value, str):
        return value.replace("{{", "{ {").replace("}}", "} }")
    return value
