"""What every command prints through: the two consoles, and `fail`, the one way a command
stops with a one-line reason and an exit status (2 configuration, 3 warehouse busy, 1 other)."""

from __future__ import annotations

from typing import NoReturn

import typer
from rich.console import Console

from flows.settings import Settings
from mhsip.config_loader import ConfigError, load_registry
from transforms.trust_config import Registry

out = Console()
err = Console(stderr=True)


def say(reason: str) -> None:
    """Print `mhsip: <reason>` in red on stderr, as one line whatever the terminal width (a
    scheduler's log, where a reason's own line breaks, as in DuckDB's errors, would cut it), with
    no markup in the reason."""
    line = " ".join(part.strip() for part in reason.splitlines() if part.strip())
    err.print(f"mhsip: {line}", style="red", markup=False, highlight=False, soft_wrap=True)


def fail(reason: str, code: int = 1) -> NoReturn:
    """`say` the reason and exit with `code`."""
    say(reason)
    raise typer.Exit(code)


def registry_or_fail(settings: Settings) -> Registry:
    """The collaborative's configuration, or exit 2 naming the file and key that are wrong."""
    try:
        return load_registry(settings.config_dir)
    except ConfigError as exc:
        fail("configuration error: " + "; ".join(str(exc).splitlines()), 2)
