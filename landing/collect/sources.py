"""Typed models for `config/sources.yaml`: the channels the trusts' extracts arrive by.

A source is a MESH mailbox, an SFTP drop, an S3 bucket or a plain folder. The file names each
one and where it is; credentials are never in the file, only the names of the environment
variables that hold them (read when the source is opened, never logged). Which trust a file
belongs to comes from the trust's own YAML (`delivery:`): its MESH sender mailbox, or its folder
on the SFTP, S3 or folder source. Parsed by `mhsip.config_loader.load_sources`; an unknown key
fails with the file, the key and a suggestion.
"""

from __future__ import annotations

import os
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from transforms.trust_config import ConfigError


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class MeshSource(_Strict):
    """The collaborative's own MESH mailbox; trusts send to it from their sender mailboxes."""

    type: Literal["mesh"]
    mailbox: Annotated[str, Field(min_length=1)]  # the collaborative's mailbox id
    url: Annotated[str, Field(min_length=1)]  # MESH API base URL
    workflow_ids: list[str] = []  # accepted workflow ids; empty accepts any
    password_env: str = "MHSIP_MESH_PASSWORD"  # noqa: S105 - a variable name
    shared_key_env: str = "MHSIP_MESH_SHARED_KEY"
    cert_env: str | None = "MHSIP_MESH_CERT"  # path of the client certificate (PEM)
    key_env: str | None = "MHSIP_MESH_KEY"  # path of its private key (PEM)
    ca_env: str | None = "MHSIP_MESH_CA"  # path of the CA bundle that signs the MESH server
    verify: bool = True  # check the server's certificate (only a local sandbox turns it off)


class SftpSource(_Strict):
    """An SFTP drop: `<base_path>/<trust folder>/<files>`; collected files move to
    `<base_path>/<processed>/<trust folder>/`."""

    type: Literal["sftp"]
    host: Annotated[str, Field(min_length=1)]
    port: Annotated[int, Field(ge=1, le=65535)] = 22
    username: Annotated[str, Field(min_length=1)]
    base_path: str = "."
    processed: str = "processed"
    key_env: str | None = "MHSIP_SFTP_KEY"  # path of the private key file
    password_env: str | None = "MHSIP_SFTP_PASSWORD"  # noqa: S105
    known_hosts_env: str | None = "MHSIP_SFTP_KNOWN_HOSTS"  # unset: the host key is not checked


class S3Source(_Strict):
    """An S3 bucket: `<bucket>/<prefix>/<trust folder>/<files>`, collected files move under
    `<prefix>/<processed>/<trust folder>/`."""

    type: Literal["s3"]
    bucket: Annotated[str, Field(min_length=3)]
    prefix: str = ""
    processed: str = "processed"
    endpoint_url: str | None = None  # a non-AWS endpoint (an S3-compatible store)
    region: str | None = None
    access_key_id_env: str = "MHSIP_S3_ACCESS_KEY_ID"
    secret_access_key_env: str = "MHSIP_S3_SECRET_ACCESS_KEY"  # noqa: S105


class FolderSource(_Strict):
    """A folder (a mounted share): `<path>/<trust folder>/<files>`, collected files move to
    `<path>/<processed>/<trust folder>/`."""

    type: Literal["folder"]
    path: Annotated[str, Field(min_length=1)]
    processed: str = "processed"


Source = Annotated[MeshSource | SftpSource | S3Source | FolderSource, Field(discriminator="type")]
SOURCE_TYPES: dict[str, type[BaseModel]] = {
    "mesh": MeshSource,
    "sftp": SftpSource,
    "s3": S3Source,
    "folder": FolderSource,
}


class Sources(_Strict):
    sources: dict[str, Source] = {}
    retries: Annotated[int, Field(ge=0, le=10)] = 3  # a source that is down is retried...
    retry_delay_seconds: Annotated[float, Field(ge=0)] = 5.0  # ...after 5 s, 10 s, 20 s


PREFECT_SECRET = "prefect-secret:"  # noqa: S105 - a prefix, not a secret


def secret(variable: str | None, what: str) -> str | None:
    """The value of a credential's environment variable; None when no variable is named.
    A named variable that is unset fails, naming the variable (never a value). A value
    `prefect-secret:<block name>` is read from that Prefect Secret block instead."""
    if variable is None:
        return None
    value = os.environ.get(variable)
    if value is None:
        raise ConfigError(f"{what}: environment variable {variable} is not set")
    return _resolve(value, variable, what)


def optional_secret(variable: str | None) -> str | None:
    value = os.environ.get(variable) if variable else None
    return _resolve(value, str(variable), "a source") if value is not None else None


def _resolve(value: str, variable: str, what: str) -> str:
    if not value.startswith(PREFECT_SECRET):
        return value
    from prefect.blocks.system import Secret

    name = value.removeprefix(PREFECT_SECRET)
    try:
        return str(Secret.load(name).get())  # type: ignore[union-attr]  # sync when no loop runs
    except (ValueError, OSError) as exc:
        raise ConfigError(
            f"{what}: {variable} names the Prefect Secret block '{name}', which could not be "
            f"read ({type(exc).__name__})"
        ) from None
