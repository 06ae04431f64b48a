"""`mhsip collect`: pull the extracts from the configured sources into the landing zone."""

from __future__ import annotations

from rich.markup import escape

from flows.settings import Settings
from landing.collect.run import collect_all, summary
from landing.collect.sources import Sources
from mhsip.cli.console import fail, out, registry_or_fail
from mhsip.config_loader import ConfigError, load_sources
from transforms.trust_config import Registry


def sources_or_fail(settings: Settings, registry: Registry) -> Sources:
    try:
        return load_sources(settings.sources_path, registry)
    except ConfigError as exc:
        fail(f"configuration error:\n{exc}", 2)


def run_collect(settings: Settings, only: list[str] | None) -> None:
    """Exit 0 when every source was collected (problems with single files are reported, and
    those files kept), 1 when a source could not be reached, 2 on a configuration error (a
    credential variable unset included)."""
    registry = registry_or_fail(settings)
    sources = sources_or_fail(settings, registry)
    unknown = sorted(set(only or ()) - set(sources.sources))
    if unknown:
        fail(f"no source named {', '.join(unknown)} in {settings.sources_path}", 2)
    if not sources.sources:
        out.print(f"no sources configured in {settings.sources_path}; nothing to collect")
        return
    reports = collect_all(sources, registry, settings.landing_url, settings.archive_url, only=only)
    for report in reports:
        out.print(escape(summary(report)))
        for problem in report.problems:
            out.print(f"  [yellow]{problem.rule}[/yellow]: {escape(problem.detail)}")
    wrong = [r.name for r in reports if any(p.rule == "source_misconfigured" for p in r.problems)]
    if wrong:
        fail(f"source(s) not configured right: {', '.join(wrong)} (see above)", 2)
    down = [r.name for r in reports if r.error]
    if down:
        fail(f"source(s) not reached: {', '.join(down)}; the next run tries again")
