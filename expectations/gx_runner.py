"""One Great Expectations context per process, and the only place a suite is run.

The context is ephemeral (in memory; suites come from `expectations.suites`, never from GX's
own config files) and built once, on first use, under a lock, because Prefect runs
trust-month partitions in threads. It holds one pandas datasource, one dataframe asset and
whole-dataframe batch definition per dataset, and one ValidationDefinition per dataset.

Runs are serialised with a second lock. Concurrent `ValidationDefinition.run` calls on one
context are not safe: the datasource shares a single pandas execution engine whose batch cache
is keyed by batch id, and a whole-dataframe batch has the same id on every run, so one thread
can compute metrics on another thread's frame. A run takes tens of milliseconds for a trust's
month, so the lock costs little. Each run's result is removed from the in-memory results store
afterwards, so a long backfill does not accumulate them.
"""

from __future__ import annotations

import os
import threading
from typing import TYPE_CHECKING, Any

import pandas as pd

from expectations.suites import build_suite
from transforms.canonical import DATASETS, Dataset

if TYPE_CHECKING:
    from great_expectations.core.expectation_validation_result import (
        ExpectationSuiteValidationResult,
    )

_CREATE_LOCK = threading.Lock()
_RUN_LOCK = threading.Lock()
_STATE: dict[str, Any] = {}  # "context", and "vd:<dataset>" -> ValidationDefinition


def _create() -> None:
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    source = context.data_sources.add_pandas(name="derived_frames")
    for dataset in DATASETS:
        batches = source.add_dataframe_asset(name=dataset).add_batch_definition_whole_dataframe(
            "whole_frame"
        )
        suite = context.suites.add(build_suite(dataset))
        _STATE[f"vd:{dataset}"] = context.validation_definitions.add(
            gx.ValidationDefinition(name=f"{dataset}_rows", data=batches, suite=suite)
        )
    _STATE["context"] = context


def _validation_definition(dataset: Dataset) -> Any:
    with _CREATE_LOCK:
        if "context" not in _STATE:
            _create()
    return _STATE[f"vd:{dataset}"]


def warm_up() -> None:
    """Build the context now (a compute worker process does it when it starts)."""
    _validation_definition(DATASETS[0])


def warm_up_in_background() -> None:
    """Build the context in a daemon thread: importing GX takes seconds, which a run overlaps
    with reading its first files instead of paying before its first validation."""
    threading.Thread(target=warm_up, name="gx-warm-up", daemon=True).start()


def run_suite(
    frame: pd.DataFrame, dataset: Dataset, parameters: dict[str, Any]
) -> ExpectationSuiteValidationResult:
    """Validate `frame` against the dataset's suite with COMPLETE results (all failing indexes).

    Raises ValueError when an expectation could not be evaluated (e.g. a helper column is
    missing): that is a bug upstream, and passing those rows silently would load bad data.
    """
    vd = _validation_definition(dataset)
    with _RUN_LOCK:
        result = vd.run(
            batch_parameters={"dataframe": frame},
            expectation_parameters=parameters,
            result_format={"result_format": "COMPLETE"},
        )
        store = _STATE["context"].validation_results_store
        for key in store.list_keys():
            store.remove_key(key)
    for item in result.results:
        message = _error_message(item.exception_info or {})
        if message is not None:
            config = item.expectation_config
            raise ValueError(
                f"{dataset}: expectation {config.type} for rule {config.meta.get('rule')} "
                f"could not run: {message}"
            )
    return result


def _error_message(info: dict[str, Any]) -> str | None:
    """GX reports errors either flat or keyed by metric id (one entry per failed metric)."""
    entries = [info, *(v for v in info.values() if isinstance(v, dict))]
    for entry in entries:
        if entry.get("raised_exception"):
            return str(entry.get("exception_message"))
    return None
