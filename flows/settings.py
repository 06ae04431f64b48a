"""Settings from environment variables prefixed MHSIP_ (design.md §3.6).

Everything lives under MHSIP_HOME unless set otherwise, including Prefect's own home, so a demo is
self-contained and leaves nothing in the user's home folder.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from landing.archive_keys import Keyring, keyring_from
from mhsip.permissions import owner_only_from_now, secure

REPO_CONFIG = Path(__file__).resolve().parents[1] / "config"
# Marked so nobody mistakes it for a secret: it only pseudonymises synthetic demo data.
DEMO_KEY = "mhsip-DEMO-ONLY-key-never-use-with-real-data"


class MissingKeyError(RuntimeError):
    """Raised when a real run has no pseudonymisation key."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="MHSIP_", extra="ignore")

    home: Path = Field(Path("mhsip-data"), description="root folder for everything below")
    landing: str | None = Field(None, description="landing zone URL or path [HOME/landing]")
    archive: str | None = Field(None, description="raw archive URL or path [HOME/archive]")
    lake: str | None = Field(None, description="Parquet lake URL or path [HOME/lake]")
    warehouse_url: str | None = Field(
        None, description="SQLAlchemy URL of the warehouse [duckdb:///HOME/warehouse/mhsip.duckdb]"
    )
    published: Path | None = Field(
        None,
        description="DuckDB: the BI copy (pub_*, marts, dims only) [HOME/published/mhsip.duckdb]",
    )
    operators_copy: Path | None = Field(
        None,
        description="DuckDB: the operators' full read-only copy (facts, etl_*), never for BI"
        " [HOME/operators/mhsip-operators-full.duckdb]",
    )
    config_dir: Path = Field(REPO_CONFIG, description="folder with trusts/ and codes/ YAML")
    sources: Path | None = Field(
        None,
        description="the channels extracts arrive by (MESH, SFTP, S3) [CONFIG_DIR/sources.yaml]",
    )
    imd_lookup: Path | None = Field(
        None, description="CSV lsoa,imd_decile [HOME/reference/imd_lsoa.csv when present]"
    )
    pseudonymisation_key: SecretStr | None = Field(
        None, description="HMAC key for patient pseudonyms (required outside demo mode)"
    )
    demo_mode: bool = Field(False, description="allow the marked demo key (synthetic data only)")
    archive_key: SecretStr | None = Field(
        None, description="AES-256 key (base64) encrypting the raw archive (required outside demo)"
    )
    archive_previous_keys: SecretStr | None = Field(
        None, description="earlier archive keys, comma-separated: decrypt only (rotation)"
    )
    archive_retention_months: int = Field(
        84, ge=1, description="months the raw archive keeps a file (`mhsip archive purge`)"
    )
    archive_key_block: str | None = Field(
        None, description="name of a Prefect Secret block holding the archive key (instead)"
    )
    max_workers: int = Field(
        4, ge=1, le=64, description="chunks computed in parallel (threads or Dask workers)"
    )
    lock_timeout_seconds: float = Field(
        60.0, ge=0, description="how long a run waits for another run's warehouse lock"
    )
    chunk_months: int = Field(
        12, ge=1, le=120, description="months of one trust per compute task (bounds memory)"
    )
    chunk_bytes: int = Field(
        2 * 1024 * 1024,
        ge=1,
        description="input bytes of one trust per compute task, at most"
        " (bounds memory at any scale; a larger month alone)",
    )
    compute_processes: int = Field(
        0,
        ge=0,
        le=64,
        description="worker processes computing a run's waves under the thread runner: 0 = one"
        " per core when the run has enough files to pay for starting them, 1 = none",
    )
    task_runner: Literal["threads", "dask"] = Field(
        "threads", description="where chunks compute: threads, or a Dask cluster (the dask extra)"
    )
    dask_address: str | None = Field(
        None, description="Dask scheduler address; unset with task_runner=dask → a local cluster"
    )
    due_day: int = Field(
        15, ge=1, le=28, description="day of the next month by which a submission is due (late)"
    )
    alert_smtp: str | None = Field(None, description="alert email server, smtp://host:port")
    alert_to: str | None = Field(None, description="alert email recipients, comma-separated")
    alert_from: str = Field("mhsip@localhost", description="sender address of alert email")
    alert_smtp_starttls: bool = Field(False, description="STARTTLS before sending alert email")
    alert_smtp_user: str | None = Field(None, description="SMTP login for alert email")
    alert_smtp_password: SecretStr | None = Field(None, description="SMTP password")
    alert_webhook: SecretStr | None = Field(
        None, description="incoming webhook URL (Teams or Slack) for the run's alert digest"
    )
    report_dir: Path | None = Field(None, description="HTML report folder [HOME/report]")
    share_group: str | None = Field(
        None, description="group that may read the published BI copy and the report; else owner"
    )
    log_dir: Path | None = Field(None, description="log folder [HOME/logs]")
    # Hostile input (docs/reliability.md): refused before it is read or inflated in memory.
    max_file_bytes: int = Field(
        256 * 2**20, ge=1, description="largest landing file read, in bytes; larger is refused"
    )
    max_columns: int = Field(
        500, ge=30, description="widest header read, in columns; wider is refused unread"
    )
    max_xlsx_uncompressed_bytes: int = Field(
        256 * 2**20, ge=1, description="largest size a workbook may unzip to, in bytes"
    )

    # Derived locations --------------------------------------------------------------------
    @property
    def landing_url(self) -> str:
        return self.landing or str(self.home / "landing")

    @property
    def archive_url(self) -> str:
        return self.archive or str(self.home / "archive")

    @property
    def lake_url(self) -> str:
        return self.lake or str(self.home / "lake")

    @property
    def sources_path(self) -> Path:
        return self.sources or self.config_dir / "sources.yaml"

    @property
    def warehouse(self) -> str:
        return (
            self.warehouse_url
            or f"duckdb:///{(self.home / 'warehouse' / 'mhsip.duckdb').resolve()}"
        )

    @property
    def published_path(self) -> Path:
        return self.published or self.home / "published" / "mhsip.duckdb"

    @property
    def operators_copy_path(self) -> Path:
        return self.operators_copy or self.home / "operators" / "mhsip-operators-full.duckdb"

    @property
    def imd_path(self) -> Path | None:
        if self.imd_lookup is not None:
            return self.imd_lookup
        path = self.home / "reference" / "imd_lsoa.csv"
        return path if path.exists() else None

    @property
    def reports(self) -> Path:
        return self.report_dir or self.home / "report"

    @property
    def logs(self) -> Path:
        return self.log_dir or self.home / "logs"

    @property
    def alert_recipients(self) -> list[str]:
        return [a.strip() for a in (self.alert_to or "").split(",") if a.strip()]

    def key_bytes(self) -> bytes:
        """The pseudonymisation key; refuses to run without one outside demo mode."""
        if self.pseudonymisation_key is not None:
            return self.pseudonymisation_key.get_secret_value().encode()
        if self.demo_mode:
            return DEMO_KEY.encode()
        raise MissingKeyError(
            "no pseudonymisation key: set MHSIP_PSEUDONYMISATION_KEY (or MHSIP_DEMO_MODE=true "
            "for synthetic demo data only)"
        )

    def archive_keyring(self) -> Keyring:
        """The raw archive's keys; refuses (MissingArchiveKeyError) a real run without one."""
        current = self.archive_key.get_secret_value() if self.archive_key else None
        if current is None and self.archive_key_block:
            from prefect.blocks.system import Secret

            block: Secret = Secret.load(self.archive_key_block)  # type: ignore[assignment]
            current = str(block.get())
        previous = self.archive_previous_keys
        return keyring_from(
            current, previous.get_secret_value() if previous else None, self.demo_mode
        )


def prepare_environment(settings: Settings) -> None:
    """Point Prefect and GX at MHSIP_HOME and turn off their telemetry (no network here).

    Must run before `prefect` is imported; explicit PREFECT_* variables win.
    """
    owner_only_from_now()  # before anything is written (mhsip/permissions.py)
    settings.home.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("PREFECT_HOME", str((settings.home / "prefect").resolve()))
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "90")
    os.environ.setdefault("PREFECT_LOGGING_TO_API_BATCH_INTERVAL", "0.5")
    os.environ.setdefault("DO_NOT_TRACK", "1")
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")


def secure_home(settings: Settings) -> None:
    """Owner-only under MHSIP_HOME (the landing zone aside); the BI copy and the report opened
    to MHSIP_SHARE_GROUP when it is set."""
    landing = None if "://" in settings.landing_url else Path(settings.landing_url)
    shared = [settings.published_path, settings.reports]
    secure(settings.home, landing, shared, settings.share_group)


def settings_help() -> str:
    """One line per setting, for `mhsip --help`."""
    lines = []
    for name, info in Settings.model_fields.items():
        lines.append(f"MHSIP_{name.upper()}: {info.description}")
    return "\n".join(lines)
