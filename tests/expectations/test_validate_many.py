"""validate_many: one GX run over several files gives each file exactly its own result."""

from __future__ import annotations

import pandas as pd

from expectations.validate import validate_many, validate_rows
from tests.expectations.conftest import make_trust, ri_frame
from tests.expectations.test_validate_interventions import DATASET, FAULTS


def test_batched_results_equal_file_by_file_results() -> None:
    trust = make_trust()
    files = [
        ri_frame([{}, {"end": None, "intervention_type": "05"}]),
        ri_frame([{}] + [fault for fault, _ in FAULTS]),
        # 3 of 4 rows not stated: over the trust's share, a warning for this file only
        ri_frame(
            [{"ethnic_category": "Z"}, {"ethnic_category": "99"}, {"ethnic_category": "Z"}, {}]
        ),
        ri_frame([{"intervention_id": "A"}, {"intervention_id": "A"}]),
    ]
    batched = validate_many(files, DATASET, trust)
    alone = [validate_rows(frame, DATASET, trust) for frame in files]
    assert len(batched) == len(files)
    for one, other in zip(batched, alone, strict=True):
        pd.testing.assert_frame_equal(one.valid, other.valid)
        pd.testing.assert_frame_equal(one.quarantine, other.quarantine)
        assert one.warnings == other.warnings
    assert [w.rule for w in batched[2].warnings] == ["ethnicity_not_stated_high"]
    assert batched[0].warnings == [] and batched[0].quarantine.empty
    assert batched[3].quarantine["source_row_number"].tolist() == [3]


def test_nothing_to_validate_gives_nothing() -> None:
    assert validate_many([], DATASET, make_trust()) == []
