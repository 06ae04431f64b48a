"""Sources configuration (typo → file, key, suggestion), routing of a collected file, and the
unsorted area that status and the report list. Fast: no server."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from landing.collect.deliver import deliver, unsorted_problems
from landing.collect.routing import Destination, Unroutable, months_in_name, route
from mhsip.config_loader import ConfigError, load_registry, load_sources
from report.unsorted import unsorted_html
from tests.conftest import REPO


def _sources(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "sources.yaml"
    path.write_text(text)
    return path


def test_the_shipped_sources_file_loads_and_every_trust_has_a_sender_mailbox(registry):
    assert load_sources(REPO / "config" / "sources.yaml", registry).sources == {}
    mailboxes = [t.delivery.mesh_mailbox for t in registry.trusts.values()]
    assert all(mailboxes) and len(set(mailboxes)) == 16


def test_a_misspelt_source_key_names_file_key_and_suggestion(tmp_path):
    path = _sources(tmp_path, "sources:\n  drop:\n    type: sftp\n    host: h\n"
                    "    username: u\n    base_pth: /in\n")  # fmt: skip
    with pytest.raises(ConfigError) as caught:
        load_sources(path)
    message = str(caught.value)
    assert str(path) in message and "sources.drop.base_pth" in message
    assert "did you mean 'base_path'" in message


def test_an_unknown_source_type_and_a_missing_key_are_named(tmp_path):
    with pytest.raises(ConfigError, match=r"sources.box.type.*did you mean 'mesh'"):
        load_sources(_sources(tmp_path, "sources:\n  box:\n    type: mesch\n"))
    with pytest.raises(ConfigError, match=r"missing required key 'sources.box.mailbox'"):
        load_sources(_sources(tmp_path, "sources:\n  box:\n    type: mesh\n    url: u\n"))


def test_a_misspelt_delivery_key_in_a_trust_file_is_suggested(tmp_path):
    config = tmp_path / "config"
    (config / "trusts").mkdir(parents=True)
    (config / "codes").mkdir()
    text = (REPO / "config" / "trusts" / "RX2.yaml").read_text()
    (config / "trusts" / "RX2.yaml").write_text(text.replace("mesh_mailbox:", "mesh_mailbx:"))
    with pytest.raises(ConfigError, match=r"delivery.mesh_mailbx.*did you mean 'mesh_mailbox'"):
        load_registry(config)


def test_two_trusts_with_one_sender_mailbox_fail(tmp_path, registry):
    clash = registry.model_copy(deep=True)
    rnu = clash.trusts["RNU"]
    clash.trusts["RNU"] = rnu.model_copy(
        update={"delivery": rnu.delivery.model_copy(update={"mesh_mailbox": "rx2ot001"})}
    )
    with pytest.raises(ConfigError, match=r"(?i)rx2ot001 is given for both RNU and RX2"):
        load_sources(_sources(tmp_path, "sources: {}\n"), clash)


@pytest.mark.parametrize(
    ("name", "month"),
    [("x_2024-03.csv", date(2024, 3, 1)), ("x_202311.tsv", date(2023, 11, 1)),
     ("BHFT RI Mar 2024.csv", date(2024, 3, 1))],
)  # fmt: skip
def test_the_month_comes_from_the_name(name, month):
    assert months_in_name(name) == {month}


def test_routing_by_sender_and_pattern(registry):
    ok = route(registry, "RX2", "RX2OT001", "SPFT_WardStays_2024-02.xlsx")
    assert ok == Destination("RX2", date(2024, 2, 1), "ward_stays", "SPFT_WardStays_2024-02.xlsx")
    assert ok.relative_path == "RX2/2024-02/SPFT_WardStays_2024-02.xlsx"
    assert route(registry, None, "X99", "a.csv").rule == "unknown_sender"  # type: ignore[union-attr]
    assert route(registry, "RX2", "", "SPFT_WardStays_final.xlsx").rule == "no_month_in_name"  # type: ignore[union-attr]
    assert route(registry, "RX2", "", "notes.docx").rule == "unrecognised_file"  # type: ignore[union-attr]
    assert route(registry, "RX2", "", "a\x1b[2J.xlsx").rule == "unsafe_file_name"  # type: ignore[union-attr]


def test_an_unsorted_item_is_kept_and_listed_for_status_and_the_report(tmp_path):
    landing = tmp_path / "landing"
    done = deliver(
        b"bytes", Unroutable("unknown_sender", "'X99' is no trust's"), source="mesh",
        item="MSG0001", landing_url=str(landing), archive_url=str(tmp_path / "archive"),
        received_name="../../etc/passwd",
    )  # fmt: skip
    assert done.problem is not None and done.path.endswith("_unsorted/mesh/MSG0001")
    [kept] = [
        p for p in (landing / "_unsorted" / "mesh" / "MSG0001").iterdir() if p.suffix != ".json"
    ]
    assert kept.read_bytes() == b"bytes" and kept.name == "etc_passwd"
    [listed] = unsorted_problems(str(landing))
    assert (listed["item"], listed["rule"], listed["file_name"]) == (
        "MSG0001", "unknown_sender", "../../etc/passwd",
    )  # fmt: skip
    html = unsorted_html([listed])
    assert "MSG0001" in html and "unknown_sender" in html and "Collected but unsorted (1)" in html
    assert unsorted_html([]) == ""


@pytest.mark.slow  # starts a Prefect server
def test_a_credential_may_come_from_a_prefect_secret_block(prefect_server, monkeypatch):
    from prefect.blocks.system import Secret

    from landing.collect.sources import secret

    Secret(value="block-pw-Z8q").save("mhsip-test-mesh-password", overwrite=True)
    monkeypatch.setenv("MHSIP_TEST_PW", "prefect-secret:mhsip-test-mesh-password")
    monkeypatch.setenv("MHSIP_TEST_PLAIN", "plain-pw")
    monkeypatch.setenv("MHSIP_TEST_GONE", "prefect-secret:no-such-block")
    assert secret("MHSIP_TEST_PW", "source mesh") == "block-pw-Z8q"
    assert secret("MHSIP_TEST_PLAIN", "source mesh") == "plain-pw"
    with pytest.raises(ConfigError, match="MHSIP_TEST_GONE names the Prefect Secret block"):
        secret("MHSIP_TEST_GONE", "source mesh")
    with pytest.raises(ConfigError, match="MHSIP_TEST_UNSET is not set"):
        secret("MHSIP_TEST_UNSET", "source mesh")


def test_status_lists_what_is_kept_unsorted(tmp_path, monkeypatch, capsys):
    from flows.settings import Settings
    from mhsip.cli.status_view import _print_unsorted

    landing = tmp_path / "landing"
    deliver(
        b"x", Unroutable("no_month_in_name", "RX2: 'SPFT_WardStays.xlsx' names no month"),
        source="mesh", item="MSG0002", landing_url=str(landing),
        archive_url=str(tmp_path / "archive"), received_name="SPFT_WardStays.xlsx",
    )  # fmt: skip
    monkeypatch.setenv("MHSIP_LANDING", str(landing))
    _print_unsorted(Settings())
    shown = capsys.readouterr().out
    assert "1 collected files kept unsorted" in shown
    assert "no_month_in_name" in shown and "MSG0002" in shown


def test_a_source_without_its_credential_is_reported_at_once_and_the_others_go_on(
    tmp_path, registry, monkeypatch
):
    from landing.collect.run import collect_all
    from landing.collect.sources import Sources

    monkeypatch.delenv("MHSIP_S3_SECRET_ACCESS_KEY", raising=False)
    monkeypatch.setenv("MHSIP_S3_ACCESS_KEY_ID", "AKIAEXAMPLE")
    share = tmp_path / "share"
    (share / "RX2").mkdir(parents=True)
    (share / "RX2" / "SPFT_WardStays_202402.xlsx").write_bytes(b"x")
    sources = Sources.model_validate({"sources": {
        "bucket": {"type": "s3", "bucket": "inbound"},
        "share": {"type": "folder", "path": str(share)},
    }, "retries": 3, "retry_delay_seconds": 60})  # fmt: skip
    waits: list[float] = []
    bucket, folder = collect_all(
        sources, registry, str(tmp_path / "landing"), str(tmp_path / "archive"), sleep=waits.append
    )
    assert waits == [] and bucket.attempts == 1
    [problem] = bucket.problems
    assert problem.rule == "source_misconfigured"
    assert "MHSIP_S3_SECRET_ACCESS_KEY is not set" in problem.detail
    assert folder.landed == 1
    assert (tmp_path / "landing" / "RX2" / "2024-02" / "SPFT_WardStays_202402.xlsx").exists()
    assert (share / "processed" / "RX2" / "SPFT_WardStays_202402.xlsx").exists()
