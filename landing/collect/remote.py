"""SFTP, S3 and folder channels, read through fsspec (`sshfs`, `s3fs`, the local file system).

A source holds `<root>/<trust folder>/<files>`; a collected file is moved to
`<root>/<processed>/<trust folder>/<name>` only after the collector has archived and landed it,
so a crash before that leaves it where it was and the next run collects it again.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import fsspec

from landing.collect.channel import Item, ItemNotCollected
from landing.collect.sources import FolderSource, S3Source, SftpSource, optional_secret, secret
from landing.scan import base_name


class FileChannel:
    senders_are_mailboxes = False

    def __init__(self, name: str, source: SftpSource | S3Source | FolderSource) -> None:
        self.name, self.processed = name, source.processed
        self.secrets: list[str] = []
        self.fs, self.root = self._open(source)
        self.root = self.root.rstrip("/")
        if not self.fs.exists(self.root):
            raise FileNotFoundError(f"source {name}: {self._shown(self.root)} does not exist")

    def _open(self, source: SftpSource | S3Source | FolderSource) -> tuple[Any, str]:
        if isinstance(source, FolderSource):
            return fsspec.core.url_to_fs(source.path)
        if isinstance(source, S3Source):
            key = secret(source.access_key_id_env, f"source {self.name}")
            token = secret(source.secret_access_key_env, f"source {self.name}")
            self.secrets = [token or ""]
            client_kwargs = {"region_name": source.region} if source.region else {}
            fs = fsspec.filesystem(
                "s3", key=key, secret=token, endpoint_url=source.endpoint_url,
                client_kwargs=client_kwargs, skip_instance_cache=True,
            )  # fmt: skip
            return fs, f"{source.bucket}/{source.prefix.strip('/')}".rstrip("/")
        password = optional_secret(source.password_env)
        key_path = optional_secret(source.key_env)
        known_hosts = optional_secret(source.known_hosts_env)
        if password is None and key_path is None:
            secret(source.password_env or source.key_env, f"source {self.name}")
        self.secrets = [password or ""]
        options: dict[str, Any] = {"port": source.port, "username": source.username}
        options |= {"password": password} if password else {}
        options |= {"client_keys": [key_path]} if key_path else {}
        options["known_hosts"] = known_hosts  # None: the host key is not checked
        fs = fsspec.filesystem("sftp", host=source.host, skip_instance_cache=True, **options)
        return fs, source.base_path

    def _shown(self, path: str) -> str:
        return path.removeprefix(self.root).lstrip("/") or "(root)"

    def pending(self) -> Iterator[Item]:
        for entry in sorted(self.fs.ls(self.root, detail=True), key=lambda e: str(e["name"])):
            name = base_name(entry["name"])
            if name.startswith((".", "_")) or name == self.processed:
                continue
            if entry["type"] != "directory":
                yield Item(entry["name"], "", name, int(entry.get("size") or 0))
                continue
            for inner in sorted(self.fs.ls(entry["name"], detail=True), key=lambda e: e["name"]):
                file_name = base_name(inner["name"])
                if inner["type"] == "directory" or file_name.startswith("."):
                    continue  # a subfolder or a hidden (still uploading) file
                yield Item(inner["name"], name, file_name, int(inner.get("size") or 0))

    def fetch(self, item: Item) -> bytes:
        content: bytes = self.fs.cat_file(item.item_id)
        if item.size_bytes is not None and len(content) != item.size_bytes:
            raise ItemNotCollected(
                "size_mismatch",
                f"{len(content):,} bytes read but {item.size_bytes:,} listed (still being "
                "written?); left in place",
            )
        return content

    def acknowledge(self, item: Item) -> None:
        folder = f"{self.root}/{self.processed}/{item.sender or '_root'}"
        self.fs.makedirs(folder, exist_ok=True)
        self.fs.mv(item.item_id, f"{folder}/{item.name}")

    def close(self) -> None:
        return None
