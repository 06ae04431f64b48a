"""The `mhsip` command line (design.md §3.6). Heavy imports (Prefect, GX) happen inside commands."""

from __future__ import annotations

import errno
import os
import sys
from datetime import date
from pathlib import Path
from typing import Annotated

import typer
import typer.core

from flows.settings import MissingKeyError, Settings, prepare_environment, settings_help
from landing.archive_keys import MissingArchiveKeyError
from mhsip.cli.console import err, fail, registry_or_fail, say
from serving import temporary_api

app = typer.Typer(
    name="mhsip",
    help="Restrictive-practice data pipeline for the mental health safety collaborative.",
    epilog="Settings (environment variables):\n\n" + settings_help().replace("\n", "\n\n"),
    no_args_is_help=True,
    add_completion=False,
)
db_app = typer.Typer(help="Warehouse administration.", no_args_is_help=True)
app.add_typer(db_app, name="db")
archive_app = typer.Typer(help="The raw archive: keys and retention.", no_args_is_help=True)
app.add_typer(archive_app, name="archive")

TrustOpt = Annotated[list[str] | None, typer.Option("--trust", help="ODS code (repeatable)")]


def _month(text: str) -> date:
    try:
        return date.fromisoformat(f"{text}-01")
    except ValueError:
        raise typer.BadParameter(f"'{text}' is not a YYYY-MM month") from None


def _settings(demo: bool = False, landing: bool = False) -> Settings:
    """Settings checked before anything is created: a setting that cannot work, a missing key
    or (for the nightly, `landing`) an unusable landing zone exits 2 with one line."""
    from flows.preflight import SettingsError, check_settings

    if demo:  # the flows read their settings from the environment, so demo mode goes there
        os.environ["MHSIP_DEMO_MODE"] = "true"
    try:
        settings = Settings()
        settings.key_bytes()
        settings.archive_keyring()
        check_settings(settings, landing=landing)
    except (MissingKeyError, MissingArchiveKeyError) as exc:
        fail(str(exc), 2)
    except (SettingsError, ValueError) as exc:
        fail(" ".join(str(exc).split()) if isinstance(exc, SettingsError) else _first(exc), 2)
    registry_or_fail(settings)  # a trust YAML that cannot work, before anything is created
    _key_matches_or_fail(settings)
    prepare_environment(settings)
    return settings


def _key_matches_or_fail(settings: Settings) -> None:
    """Exit 2 (one line) when the warehouse was built with another pseudonymisation key."""
    from transforms.identifiers import key_fingerprint
    from warehouse.key_check import KEY_MISMATCH, read_fingerprint

    key = settings.key_bytes()  # checked present already
    stored = read_fingerprint(settings.warehouse)
    if stored is not None and stored != key_fingerprint(key):
        fail(KEY_MISMATCH, 2)


def _first(exc: Exception) -> str:
    """A settings validation error as one line (pydantic's message spans several)."""
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    return "invalid setting: " + "; ".join(lines[1:3] if len(lines) > 2 else lines)


@app.command()
def generate(
    out: Annotated[Path, typer.Option(help="landing folder to write")] = Path("landing"),
    start: Annotated[str, typer.Option(help="first month, YYYY-MM")] = "2024-01",
    months: Annotated[int, typer.Option(min=1, max=240)] = 24,
    trusts: TrustOpt = None,
    scale: Annotated[float, typer.Option(min=0.01, max=100)] = 1.0,
    seed: Annotated[int, typer.Option()] = 1,
    faults: Annotated[bool, typer.Option(help="inject the known share of faults")] = True,
) -> None:
    """Write synthetic extracts for the trusts, each in its own layout and code style."""
    from mhsip.cli.commands import run_generate

    run_generate(Settings(), out, _month(start), months, trusts, scale, seed, faults)


@app.command()
def collect(
    source: Annotated[
        list[str] | None, typer.Option("--source", help="a source in sources.yaml (repeatable)")
    ] = None,
) -> None:
    """Pull the extracts from MESH, SFTP and S3 (config/sources.yaml) into the landing zone."""
    from mhsip.cli.collect import run_collect

    run_collect(Settings(), source)


@app.command()
def nightly(trust: TrustOpt = None) -> None:
    """Process new and changed submissions in the landing zone."""
    settings = _settings(landing=True)
    from mhsip.cli.commands import run_nightly  # starts Prefect only when there is work

    run_nightly(settings, trust)


@app.command()
def backfill(
    from_month: Annotated[str, typer.Option("--from", help="first month, YYYY-MM")],
    to_month: Annotated[str, typer.Option("--to", help="last month, YYYY-MM")],
    trust: TrustOpt = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="list what would run")] = False,
    deployment: Annotated[
        bool,
        typer.Option(
            "--deployment",
            help="trigger the served backfill deployment via PREFECT_API_URL and return",
        ),
    ] = False,
) -> None:
    """Reprocess a range of trust-months from the raw archive."""
    first, last = _month(from_month), _month(to_month)
    if first > last:
        fail("--from is after --to", 2)
    if deployment:
        if dry_run:
            fail("--dry-run and --deployment do not combine", 2)
        from mhsip.cli.commands import run_backfill_deployment

        run_backfill_deployment(Settings(), f"{first:%Y-%m}", f"{last:%Y-%m}", trust)
        return
    settings = _settings()
    if not dry_run:
        temporary_api.start_in_background()  # overlaps the imports below
    from mhsip.cli.commands import run_backfill

    run_backfill(settings, first, last, trust, dry_run)


@app.command()
def serve(
    startup_timeout: Annotated[
        float, typer.Option(min=5, help="seconds to wait for the local Prefect server")
    ] = 120.0,
) -> None:
    """Serve the nightly (02:00 Europe/London) and backfill deployments until stopped.

    Starts a local Prefect server (and stops it on exit) when PREFECT_API_URL is not set.
    """
    from serving.serve import run_serve

    run_serve(_settings(), startup_timeout)


@app.command()
def status(
    as_json: Annotated[bool, typer.Option("--json", help="machine-readable")] = False,
    from_month: Annotated[str | None, typer.Option("--from", help="first month, YYYY-MM")] = None,
    to_month: Annotated[str | None, typer.Option("--to", help="last month, YYYY-MM")] = None,
    as_of: Annotated[str | None, typer.Option(help="judge lateness as of YYYY-MM-DD")] = None,
) -> None:
    """Submission matrix (trusts x months: loaded, nil, partial, rejected, late) and DQ counts."""
    from mhsip.cli.status_view import run_status

    today = date.fromisoformat(as_of) if as_of else date.today()
    first = _month(from_month) if from_month else None
    last = _month(to_month) if to_month else None
    run_status(Settings(), as_json, first, last, today)


class _CheckCommand(typer.core.TyperCommand):
    """`mhsip check` exits 3 on a usage error (2 means a rejected file there)."""

    def parse_args(self, ctx, args):  # type: ignore[no-untyped-def]
        try:
            return super().parse_args(ctx, args)
        except Exception as exc:  # typer may vendor click: match the class by name
            if any(k.__name__ == "UsageError" for k in type(exc).__mro__):
                exc.exit_code = 3  # type: ignore[attr-defined]
            raise


CHECK_HELP = (
    "Check files before sending them: what the nightly would decide. Writes nothing.\n\n"
    "Runs the nightly's reading, mapping, file rules, row rules and warnings with the trust's "
    "configuration. History-based rules use the warehouse when one is configured "
    "(MHSIP_WAREHOUSE_URL or MHSIP_HOME) and are reported as skipped otherwise.\n\n"
    "Exit status (the worst file): 0 accepted cleanly; 1 accepted with warnings or quarantined "
    "rows; 2 rejected; 3 could not run (bad arguments, unknown trust, configuration)."
)


@app.command(cls=_CheckCommand, help=CHECK_HELP)
def check(
    files: Annotated[
        list[Path] | None, typer.Argument(help="the month's files: one or both datasets")
    ] = None,
    trust: Annotated[str | None, typer.Option(help="ODS code of the trust")] = None,
    month: Annotated[str | None, typer.Option(help="reporting month, YYYY-MM")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="machine-readable")] = False,
    html: Annotated[Path | None, typer.Option(help="also write an HTML page to this path")] = None,
    config: Annotated[
        Path | None, typer.Option(help="the collaborative's config folder [MHSIP_CONFIG_DIR]")
    ] = None,
) -> None:
    """Check files before sending them (help: CHECK_HELP)."""
    from mhsip.cli.check_view import run_check_command

    run_check_command(files or [], trust, month, as_json, html, config)


@app.command()
def demo(
    months: Annotated[int, typer.Option(min=1, max=120)] = 24,
    start: Annotated[str, typer.Option(help="first month, YYYY-MM")] = "2024-01",
    scale: Annotated[float, typer.Option(min=0.01, max=100)] = 1.0,
    via: Annotated[
        str,
        typer.Option(
            "--via", help="folder: write the landing zone; mesh: send by a local MESH sandbox"
        ),
    ] = "folder",
) -> None:
    """Generate 16 trusts' extracts, run the nightly flow, and show where everything is."""
    if via not in ("folder", "mesh"):
        fail(f"--via {via!r}: expected folder or mesh", 2)
    settings = _settings(demo=True)
    temporary_api.start_in_background()  # overlaps the generation below
    if via == "mesh":
        from mhsip.cli.demo_mesh import run_demo_via_mesh

        run_demo_via_mesh(settings, _month(start), months, scale)
        return
    from mhsip.cli.demo import run_demo

    run_demo(settings, _month(start), months, scale)


@app.command()
def report(
    out: Annotated[Path | None, typer.Option(help="folder for the site [HOME/report]")] = None,
) -> None:
    """Write the HTML report (SPC, equity, submission matrix, per-trust feedback files)."""
    from mhsip.cli.commands import run_report

    run_report(Settings(), out)


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Create or upgrade the warehouse schema (idempotent)."""
    from mhsip.cli.commands import run_db_upgrade

    run_db_upgrade(Settings())


@db_app.command("grant-bi")
def db_grant_bi(
    role: Annotated[str, typer.Option(help="login role for BI tools")] = "mhsip_bi",
    password: Annotated[
        str,
        typer.Option(
            prompt=True,
            hide_input=True,
            confirmation_prompt=True,
            envvar="MHSIP_BI_PASSWORD",
            help="the role's password (prompted; or MHSIP_BI_PASSWORD)",
        ),
    ] = "",
    revoke_public_temp: Annotated[
        bool,
        typer.Option(
            "--revoke-public-temp",
            help="also revoke TEMP on the warehouse database from PUBLIC (without it, every"
            " role, the BI role too, can create temporary tables through PUBLIC)",
        ),
    ] = False,
) -> None:
    """PostgreSQL: a read-only role with SELECT on pub_*, marts and dims only, and no TEMP."""
    from mhsip.cli.commands import run_grant_bi

    run_grant_bi(Settings(), role, password, revoke_public_temp)


@archive_app.command("new-key")
def archive_new_key() -> None:
    """Print a new random archive key (base64) for MHSIP_ARCHIVE_KEY; store it as a secret."""
    from landing.archive_keys import new_key_text

    print(new_key_text())


@archive_app.command("rekey")
def archive_rekey() -> None:
    """Re-encrypt under MHSIP_ARCHIVE_KEY every file under a previous key or in plaintext."""
    from mhsip.cli.archive_commands import run_rekey

    run_rekey(_settings())


@archive_app.command("purge")
def archive_purge(
    dry_run: Annotated[bool, typer.Option("--dry-run", help="list, remove nothing")] = False,
) -> None:
    """Remove raw bytes older than MHSIP_ARCHIVE_RETENTION_MONTHS; records and hashes stay."""
    from mhsip.cli.archive_commands import run_purge

    run_purge(_settings(), dry_run, date.today())


def main() -> None:
    from mhsip.permissions import owner_only_from_now

    owner_only_from_now()  # whatever the command, what it writes is owner-only
    try:
        app()
    except KeyboardInterrupt:
        err.print("interrupted")
        sys.exit(130)
    except OSError as exc:
        if exc.errno != errno.ENOSPC:
            raise
        # The disk filled outside a flow's own error handling (e.g. flushing the run's log):
        # one line naming it, not a traceback; a run that failed this way is retried whole.
        home = os.environ.get("MHSIP_HOME") or Settings.model_fields["home"].default
        where = exc.filename or home
        say(f"no space left on device: {where}; free space there and run again")
        sys.exit(1)


if __name__ == "__main__":
    main()
