"""The Prefect deployments mhsip serves: the one place that names, schedules and limits them.

`mhsip serve` builds its deployments from `DEPLOYMENTS`, and the structural test snapshots
`deployment_snapshot()` (tests/serving/snapshots/deployments.json), so a change here is a visible
diff.

Concurrency is 1 per deployment (further runs queue rather than collide) and 1 per serve process
(`SERVE_LIMIT`): the embedded DuckDB warehouse takes one writer at a time, so a backfill started
while the nightly run loads would otherwise wait on the warehouse lock and fail after
MHSIP_LOCK_TIMEOUT_SECONDS.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, cast

if TYPE_CHECKING:
    from prefect import Flow
    from prefect.deployments.runner import RunnerDeployment

TAGS = ("mhsip",)
SERVE_LIMIT = 1  # flow runs at once in one serve process (DuckDB: one writer)


@dataclass(frozen=True)
class DeploymentSpec:
    """One deployment: `flow_name/name` is what `prefect deployment run` and the UI show."""

    name: str
    flow_name: str
    flow_path: str  # "module:attribute", imported only when the deployment is built
    description: str
    cron: str | None = None
    timezone: str | None = None
    tags: tuple[str, ...] = TAGS
    concurrency_limit: int = 1
    parameters: dict[str, Any] = field(default_factory=dict)

    @property
    def full_name(self) -> str:
        return f"{self.flow_name}/{self.name}"


NIGHTLY = DeploymentSpec(
    name="nightly",
    flow_name="mhsip-nightly",
    flow_path="flows.nightly:nightly_flow",
    description=(
        "Every night at 02:00 UK time: load new and changed submissions from the landing zone "
        "(all trusts). Idempotent: a night with nothing new changes nothing."
    ),
    cron="0 2 * * *",
    timezone="Europe/London",  # 02:00 local all year: the UTC hour moves with BST
    tags=(*TAGS, "scheduled"),
)

BACKFILL = DeploymentSpec(
    name="backfill",
    flow_name="mhsip-backfill",
    flow_path="flows.backfill:backfill_flow",
    description=(
        "On demand: reprocess trust-months from the raw archive. Parameters from_month and "
        "to_month (YYYY-MM, inclusive) and optional trusts (ODS codes; all when empty)."
    ),
    tags=(*TAGS, "backfill"),
)

DEPLOYMENTS: tuple[DeploymentSpec, ...] = (NIGHTLY, BACKFILL)


def load_flow(spec: DeploymentSpec) -> Flow[..., Any]:
    """Import the flow object a spec points at (imports Prefect and the pipeline: ~2 s)."""
    module_name, attribute = spec.flow_path.split(":")
    return getattr(importlib.import_module(module_name), attribute)


def build_deployment(spec: DeploymentSpec) -> RunnerDeployment:
    """A RunnerDeployment whose entrypoint is a module path, so runs work from any folder."""
    from prefect.deployments.runner import EntrypointType
    from prefect.schedules import Cron

    schedules = (
        [Cron(spec.cron, timezone=spec.timezone, slug=f"{spec.name}-cron")] if spec.cron else None
    )
    deployment = load_flow(spec).to_deployment(
        name=spec.name,
        description=spec.description,
        schedules=schedules,
        concurrency_limit=spec.concurrency_limit,
        parameters=dict(spec.parameters),
        tags=list(spec.tags),
        entrypoint_type=EntrypointType.MODULE_PATH,
    )
    return cast("RunnerDeployment", deployment)  # sync call: never the coroutine variant


def build_deployments() -> list[RunnerDeployment]:
    return [build_deployment(spec) for spec in DEPLOYMENTS]


def deployment_snapshot(deployments: list[RunnerDeployment] | None = None) -> dict[str, Any]:
    """What Prefect is told about each deployment, as plain JSON-able data (sorted, stable)."""
    built = deployments if deployments is not None else build_deployments()
    out: dict[str, Any] = {"serve_limit": SERVE_LIMIT, "deployments": {}}
    for dep in built:
        out["deployments"][f"{dep.flow_name}/{dep.name}"] = {
            "description": dep.description,
            "entrypoint": dep.entrypoint,
            "schedules": [
                {
                    "cron": getattr(s.schedule, "cron", None),
                    "timezone": getattr(s.schedule, "timezone", None),
                    "active": s.active,
                    "slug": s.slug,
                }
                for s in dep.schedules or []
            ],
            "parameters": dep.parameters,
            "parameter_schema": dep._parameter_openapi_schema.model_dump(mode="json"),
            "tags": sorted(dep.tags),
            "concurrency_limit": dep.concurrency_limit,
            "enforce_parameter_schema": dep.enforce_parameter_schema,
        }
    return out
