"""What docs/bi.md says, read the way the tests use it: its connection strings, code blocks and
queries, and `localise`, which points the doc's example host, database, role and paths at a
test's own warehouse."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

BI_DOC = Path(__file__).resolve().parents[2] / "docs" / "bi.md"
URI = re.compile(r"\b(?:duckdb|postgresql(?:\+\w+)?)://[^\s`\"')]+")


def _blocks(language: str) -> list[str]:
    text = BI_DOC.read_text(encoding="utf-8")
    return re.findall(rf"```{language}\n(.*?)```", text, flags=re.S)


def doc_queries() -> list[str]:
    """Every ```sql block."""
    return _blocks("sql")


def doc_uris() -> list[str]:
    """Every SQLAlchemy URI the doc gives, in order, without repeats."""
    found = URI.findall(BI_DOC.read_text(encoding="utf-8"))
    return list(dict.fromkeys(u for u in found if "<password>" in u or u.startswith("duckdb")))


def doc_python() -> list[str]:
    return _blocks("python")


def doc_commands() -> list[str]:
    """The command lines of every ```sh block."""
    return [line.strip() for block in _blocks("sh") for line in block.splitlines() if line.strip()]


def doc_minimum_duckdb() -> str:
    found = re.search(r"DuckDB \*\*(\d+\.\d+\.\d+) or later\*\*", BI_DOC.read_text("utf-8"))
    assert found, "docs/bi.md names no minimum DuckDB version"
    return found.group(1)


@dataclass(frozen=True)
class Target:
    """Where the doc's examples point, in a test: `home` holds published/mhsip.duckdb."""

    home: Path
    host: str
    port: int
    database: str
    role: str
    password: str

    def localise(self, text: str) -> str:
        for example, real in [
            ("/srv/mhsip-data", str(self.home)),
            ("<password>", self.password),
            ("mhsip_bi", self.role),
            ("db.example:5432/mhsip", f"{self.host}:{self.port}/{self.database}"),
            ("host=db.example port=5432 dbname=mhsip", f"host={self.host} port={self.port}"
             f" dbname={self.database}"),
        ]:  # fmt: skip
            text = text.replace(example, real)
        return text
