"""A real nightly (subprocess) with a rejected file and a failing trust sends one digest by
email (aiosmtpd on 127.0.0.1) and one by webhook (a local HTTP receiver), naming trust, month,
rule and runbook and carrying no identifier; an unreachable SMTP server does not fail the run."""

from __future__ import annotations

import hashlib
import shutil
from datetime import date
from pathlib import Path

import duckdb
import pytest

from tests.alerts.receivers import free_port, smtp_server, webhook_receiver
from tests.conftest import REPO
from tests.flows.helpers import db_path, finish_cli, make_landing, start_cli
from tests.hostile.helpers import builders
from tests.hostile.helpers.corpus import Site
from tests.hostile.helpers.identifiers import identifiers_in
from transforms.read import read_table

pytestmark = pytest.mark.slow
TRUSTS = ["RX2", "RH5", "RXY"]
LEAD = "data.lead@rx2.example"


def _dates_of_birth(landing: Path, registry) -> set[str]:
    found: set[str] = set()
    for path in sorted(landing.glob("*/*/*")):
        trust = registry.trusts.get(path.parts[-3])
        if trust is None or not path.is_file():
            continue
        try:
            raw = read_table(path.read_bytes(), path.name, trust)
        except Exception:
            continue
        for dataset in ("restrictive_interventions", "ward_stays"):
            header = trust.header_for(dataset, "date_of_birth")
            if header in raw.columns:
                found |= {str(v).split(" ")[0] for v in raw[header].dropna()}
    return {d for d in found if len(d) >= 8}


def _config_with_a_data_lead(root: Path) -> Path:
    config = root / "config"
    shutil.copytree(REPO / "config", config)
    with (config / "trusts" / "RX2.yaml").open("a", encoding="utf-8") as handle:
        handle.write(f"data_lead_email: {LEAD}\n")
    return config


def _break_the_archive_for(home: Path, landing: Path, trust: str) -> None:
    """A folder where the trust's file would be archived: its chunk fails with an OSError."""
    for path in sorted((landing / trust).rglob("*")):
        if path.is_file():
            sha = hashlib.sha256(path.read_bytes()).hexdigest()
            (home / "archive" / "sha256" / sha[:2] / sha).mkdir(parents=True)
            return


@pytest.fixture(scope="module")
def site(tmp_path_factory, registry):
    root = tmp_path_factory.mktemp("alerts")
    landing = make_landing(root, registry, TRUSTS, 1, faults=False, start=date(2024, 1, 1))
    builders.header_on_row_one(Site(landing, root, registry, "RX2", "2024-01"))
    secrets = identifiers_in(landing, registry) | _dates_of_birth(landing, registry)
    assert len(secrets) > 50
    return {"root": root, "landing": landing, "config": _config_with_a_data_lead(root),
            "secrets": secrets}  # fmt: skip


def test_one_digest_by_each_channel_names_what_to_do_and_no_identifier(site) -> None:
    home = site["root"] / "home"
    _break_the_archive_for(home, site["landing"], "RH5")
    with smtp_server() as (inbox, smtp_url), webhook_receiver() as (posts, hook_url):
        proc = start_cli(
            ["nightly"], home, site["landing"], site["root"] / "nightly.log",
            MHSIP_CONFIG_DIR=str(site["config"]), MHSIP_ALERT_SMTP=smtp_url,
            MHSIP_ALERT_TO="ops@collaborative.example, dq@collaborative.example",
            MHSIP_ALERT_WEBHOOK=hook_url,
        )  # fmt: skip
        code = finish_cli(proc)
    log = (site["root"] / "nightly.log").read_text(errors="replace")
    assert code == 1, log[-3000:]  # RH5 failed; everything else loaded or was rejected
    with duckdb.connect(str(db_path(home)), read_only=True) as con:
        rejected = con.sql(
            "SELECT trust_code, strftime(reporting_month, '%Y-%m'), dataset, rejection_rule "
            "FROM etl_submission WHERE status = 'rejected'"
        ).fetchall()
    assert [r[0] for r in rejected] == ["RX2"]
    _, month, dataset, rule = rejected[0]

    ops = [m for m in inbox.messages if "ops@collaborative.example" in m[0]]
    leads = [m for m in inbox.messages if m[0] == [LEAD]]
    assert len(ops) == 1 and len(leads) == 1 and len(inbox.messages) == 2
    body = ops[0][1].get_content()
    assert f"RX2 {month} {dataset} [{rule}]" in body
    assert "RH5 2024-01" in body and "IsADirectoryError" in body
    assert "docs/runbooks/alerts.md#rejected-file" in body
    assert "docs/runbooks/alerts.md#run-failed" in body
    lead_body = leads[0][1].get_content()
    assert f"RX2 {month} {dataset} [{rule}]" in lead_body and "RH5" not in lead_body
    assert "run-failed" not in lead_body

    assert len(posts) == 1
    hook = posts[0]
    assert hook["text"] == body.replace("\r\n", "\n").strip()  # the same digest
    card = hook["attachments"][0]
    assert card["contentType"] == "application/vnd.microsoft.card.adaptive"
    assert f"RX2 {month} {dataset} [{rule}]" in card["content"]["body"][1]["text"]

    sent = b"".join(raw for _, _, raw in inbox.messages) + str(posts).encode()
    assert [s for s in site["secrets"] if s.encode() in sent] == []
    assert "secret-token" not in log  # the webhook URL is a secret too


def test_an_unreachable_smtp_server_does_not_fail_the_run_and_is_retried(site) -> None:
    home = site["root"] / "home-unreachable"
    port = free_port()  # nothing listens here yet
    env = {"MHSIP_CONFIG_DIR": str(site["config"]), "MHSIP_ALERT_SMTP": f"smtp://127.0.0.1:{port}",
           "MHSIP_ALERT_TO": "ops@collaborative.example"}  # fmt: skip
    proc = start_cli(["nightly"], home, site["landing"], site["root"] / "first.log", **env)
    code = finish_cli(proc)
    log = (site["root"] / "first.log").read_text(errors="replace")
    assert code == 0, log[-3000:]  # a rejected file is a reported outcome, not a failure
    assert "1 rejected" in log
    assert "alert digest by email not sent" in (home / "logs" / "mhsip.log").read_text()
    kept = list((home / "alerts" / "outbox").glob("*.json"))
    assert len(kept) == 2  # the operators' digest and RX2's data lead's
    with smtp_server(port) as (inbox, _):
        proc = start_cli(["nightly"], home, site["landing"], site["root"] / "second.log", **env)
        assert finish_cli(proc) == 0
    assert sorted(m[0][0] for m in inbox.messages) == [LEAD, "ops@collaborative.example"]
    assert list((home / "alerts" / "outbox").glob("*.json")) == []
