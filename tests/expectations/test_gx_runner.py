"""The shared GX context: errors are not silent, threads get their own frame's results."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from expectations.gx_runner import _STATE
from expectations.validate import validate_rows
from tests.expectations.helpers import make_trust, ri_frame


def test_a_missing_helper_column_raises_instead_of_passing_rows() -> None:
    frame = ri_frame([{}]).drop(columns=["_is_repeat"])
    with pytest.raises(ValueError, match="duplicate_intervention"):
        validate_rows(frame, "restrictive_interventions", make_trust())


def test_results_are_not_kept_in_the_context_store() -> None:
    validate_rows(ri_frame([{}]), "restrictive_interventions", make_trust())
    assert _STATE["context"].validation_results_store.list_keys() == []


@pytest.mark.slow  # many GX runs in threads
def test_concurrent_partitions_each_get_their_own_results() -> None:
    # a blank incident id quarantines (a blank ward code only warns since issue 12)
    frames = [ri_frame([{}] * n + [{"incident_id": None}] * (5 - n)) for n in range(5)]
    trust = make_trust()
    with ThreadPoolExecutor(max_workers=5) as pool:
        results = list(
            pool.map(lambda f: validate_rows(f, "restrictive_interventions", trust), frames * 4)
        )
    for i, result in enumerate(results):
        n = i % 5
        assert result.quarantine["source_row_number"].tolist() == list(range(n + 2, 7))
