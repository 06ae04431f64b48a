"""Static HTML report (SPC, equity, submission matrix) and per-trust feedback files."""

from report.build import build_report

__all__ = ["build_report"]
