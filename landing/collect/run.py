"""Collect every configured source into the landing zone (stage 1, before the scan).

For each item a source lists: fetch its bytes, check them, archive them, land them at
`<ODS>/<YYYY-MM>/<name>` (or keep them in `_unsorted/`), and only then acknowledge it at the
source. A source that cannot be reached is tried again with backoff, then reported; the other
sources go on. Re-collecting a source after any failure is safe: what was acknowledged is gone
from it, and what was not comes again with the same bytes.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from landing.collect.channel import Channel, Item, ItemNotCollected, redact
from landing.collect.deliver import CollectProblem, Delivered, deliver
from landing.collect.routing import route, trust_by_folder, trust_by_mailbox
from landing.collect.sources import MeshSource, Source, Sources
from landing.scan import LandingProblem, shown
from mhsip.failpoints import failpoint
from transforms.trust_config import ConfigError, Registry

log = logging.getLogger(__name__)


@dataclass
class SourceReport:
    name: str
    type: str
    delivered: list[Delivered] = field(default_factory=list)
    problems: list[CollectProblem] = field(default_factory=list)
    attempts: int = 0
    error: str | None = None

    @property
    def landed(self) -> int:
        return sum(d.problem is None for d in self.delivered)


def open_channel(name: str, source: Source) -> Channel:
    try:
        if isinstance(source, MeshSource):
            from landing.collect.mesh import MeshChannel

            return MeshChannel(name, source)
        from landing.collect.remote import FileChannel

        return FileChannel(name, source)
    except ImportError as exc:
        raise ConfigError(
            f"source {name}: the {source.type} channel needs the collect extra "
            f"(pip install 'mhsip[collect]'): {exc}"
        ) from None


def collect_all(
    sources: Sources,
    registry: Registry,
    landing_url: str,
    archive_url: str,
    *,
    only: list[str] | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> list[SourceReport]:
    reports = []
    for name, source in sources.sources.items():
        if only and name not in only:
            continue
        reports.append(
            _with_retries(name, source, sources, registry, landing_url, archive_url, sleep)
        )
    return reports


def _with_retries(
    name: str,
    source: Source,
    sources: Sources,
    registry: Registry,
    landing_url: str,
    archive_url: str,
    sleep: Callable[[float], None],
) -> SourceReport:
    report = SourceReport(name, source.type)
    secrets: list[str] = []
    for attempt in range(sources.retries + 1):
        report.attempts = attempt + 1
        try:
            channel = open_channel(name, source)
            secrets = channel.secrets
            try:
                _collect(channel, registry, landing_url, archive_url, report)
            finally:
                channel.close()
            report.error = None
            return report
        except ConfigError as exc:  # a missing credential or package: no point in waiting
            report.error = str(exc)
            report.problems.append(CollectProblem(name, "", "source_misconfigured", str(exc)))
            return report
        except Exception as exc:  # a source down is reported, never fatal to the others
            report.error = redact(f"{type(exc).__name__}: {exc}", secrets)[:500]
            log.warning("source %s, attempt %d: %s", name, attempt + 1, report.error)
            if attempt < sources.retries:
                sleep(sources.retry_delay_seconds * 2**attempt)
    report.problems.append(CollectProblem(name, "", "source_unreachable", (
        f"source {name} ({source.type}) could not be collected after {report.attempts} "
        f"attempts: {report.error}; its files wait there for the next run"
    )))  # fmt: skip
    return report


def _collect(
    channel: Channel, registry: Registry, landing_url: str, archive_url: str, report: SourceReport
) -> None:
    seen = {d.item for d in report.delivered} | {p.item for p in report.problems}
    mesh = channel.senders_are_mailboxes
    for item in channel.pending():
        if item.item_id in seen:
            continue  # handled in an earlier attempt of this run (an unfinished one comes again)
        try:
            content = channel.fetch(item)
        except ItemNotCollected as exc:
            report.problems.append(CollectProblem(report.name, item.item_id, exc.rule, (
                f"{_what(item, mesh)}: {exc.detail}"
            )))  # fmt: skip
            continue
        trust = (trust_by_mailbox if mesh else trust_by_folder)(registry, item.sender)
        where = route(registry, trust, item.sender, item.name)
        done = deliver(
            content, where, source=report.name, item=item.item_id, landing_url=landing_url,
            archive_url=archive_url, received_name=item.name or "message",
        )  # fmt: skip
        if done.problem is not None:
            report.problems.append(CollectProblem(
                report.name, item.item_id, done.problem.rule,
                f"{_what(item, mesh)}: {done.problem.detail}; kept in {done.path}",
            ))  # fmt: skip
        failpoint("collected_before_ack")
        channel.acknowledge(item)
        report.delivered.append(done)


def _what(item: Item, mesh: bool) -> str:
    if mesh:
        return f"MESH message {item.item_id} from {item.sender or '?'} ('{item.name}')"
    return f"file {item.item_id}"


def as_landing_problems(reports: list[SourceReport]) -> list[LandingProblem]:
    """The collect problems as landing problems, so the run's report and artifacts show them."""
    return [
        LandingProblem(shown(f"{p.source}:{p.item}" if p.item else p.source), p.rule, p.detail)
        for report in reports
        for p in report.problems
    ]


def summary(report: SourceReport) -> str:
    text = f"source {report.name} ({report.type}): {report.landed} files landed"
    unsorted = sum(d.problem is not None for d in report.delivered)
    if unsorted:
        text += f", {unsorted} kept unsorted"
    left = sum(p.rule != "source_unreachable" for p in report.problems) - unsorted
    if left:
        text += f", {left} left at the source"
    return text + (f", unreachable after {report.attempts} attempts" if report.error else "")
