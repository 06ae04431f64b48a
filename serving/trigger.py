"""`mhsip backfill --deployment`: ask the Prefect server to run the backfill deployment, and return.

The run executes wherever the deployment is served (`mhsip serve`, or a worker in production), not
in this process. The idempotency key is built from the parameters and today's date (Europe/London),
so the same request submitted twice in a day (a retried script, a double click) starts one run; a
re-run on another day, or with `prefect deployment run`, starts a new one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import cast
from zoneinfo import ZoneInfo

from serving.deployments import BACKFILL

LONDON = ZoneInfo("Europe/London")
CLOCK_SLACK = timedelta(seconds=5)  # server and client clocks may differ a little


@dataclass(frozen=True)
class TriggeredRun:
    """What the operator needs to follow a run: its id, name, state and UI link."""

    flow_run_id: str
    name: str
    state: str
    url: str | None
    parameters: dict
    deduplicated: bool  # an earlier request today with the same parameters made this run


def backfill_parameters(from_month: str, to_month: str, trusts: list[str] | None) -> dict:
    """The deployment's parameters; trusts sorted and de-duplicated so equal requests match."""
    return {
        "from_month": from_month,
        "to_month": to_month,
        "trusts": sorted(set(trusts)) if trusts else None,
    }


def idempotency_key(parameters: dict, day: date) -> str:
    """E.g. 'mhsip-backfill:2024-01:2024-03:RNU,RX2:2026-11-05'; 'all' when no trusts given."""
    trusts = ",".join(parameters["trusts"]) if parameters["trusts"] else "all"
    return (
        f"{BACKFILL.flow_name}:{parameters['from_month']}:{parameters['to_month']}:"
        f"{trusts}:{day.isoformat()}"
    )


def trigger_backfill(parameters: dict, today: date | None = None) -> TriggeredRun:
    """Create the flow run (fire and forget: timeout=0) and describe it."""
    from prefect.client.schemas.objects import FlowRun
    from prefect.deployments import run_deployment
    from prefect.utilities.urls import url_for

    requested_at = datetime.now(UTC)
    day = today or requested_at.astimezone(LONDON).date()
    run = cast(
        "FlowRun",
        run_deployment(
            BACKFILL.full_name,
            parameters=parameters,
            idempotency_key=idempotency_key(parameters, day),
            timeout=0,
            as_subflow=False,
            tags=["cli"],
        ),
    )  # the sync call returns the FlowRun, never the coroutine variant
    state = run.state.name if run.state and run.state.name else "unknown"
    earlier = run.created is not None and run.created < requested_at - CLOCK_SLACK
    return TriggeredRun(str(run.id), run.name, state, url_for(run), parameters, earlier)


def submit_backfill(from_month: str, to_month: str, trusts: list[str] | None) -> TriggeredRun:
    """Trigger through the configured API; a one-line DeploymentUnavailableError when it cannot."""
    from serving.prefect_server import configured_api_url

    if not configured_api_url():
        raise DeploymentUnavailableError(
            "--deployment needs a Prefect server: set PREFECT_API_URL (e.g. the URL `mhsip serve` "
            "prints), or drop --deployment to run the backfill here"
        )
    import httpx
    from prefect.exceptions import ObjectNotFound

    try:
        return trigger_backfill(backfill_parameters(from_month, to_month, trusts))
    except ObjectNotFound:
        raise DeploymentUnavailableError(
            f"deployment '{BACKFILL.full_name}' is not registered on the Prefect server; "
            "start `mhsip serve` (or deploy it) first"
        ) from None
    except (OSError, httpx.HTTPError) as exc:
        raise DeploymentUnavailableError(f"Prefect server not reachable: {exc}") from None


class DeploymentUnavailableError(RuntimeError):
    """The backfill deployment cannot be triggered: no server configured, reachable or serving."""
