"""validate_many: one GX run over several files gives each file exactly its own result."""

from __future__ import annotations

import pandas as pd

from expectations.validate import validate_many, validate_parts, validate_rows
from tests.expectations.helpers import FAULTS, make_trust, ri_frame
from transforms.canonical import Dataset

DATASET: Dataset = "restrictive_interventions"


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


def test_files_of_different_trusts_are_each_judged_by_their_own_threshold() -> None:
    """One run over two trusts' files: the ethnicity share is a per-trust setting, so the same
    file warns for the strict trust and not for the lenient one, exactly as validated alone."""
    strict = make_trust(ods_code="ZZ1", ethnicity_unknown_warn_share=0.1)
    lenient = make_trust(ods_code="ZZ2", ethnicity_unknown_warn_share=0.5)
    # 1 of 4 rows not stated: 25%, over 10% and under 50%
    frame = ri_frame([{"ethnic_category": "Z"}, {}, {}, {}])
    faulty = ri_frame([{}] + [fault for fault, _ in FAULTS])
    parts = [(frame, strict), (frame, lenient), (faulty, lenient)]
    batched = validate_parts(parts, DATASET)
    alone = [validate_rows(f, DATASET, trust) for f, trust in parts]
    for one, other in zip(batched, alone, strict=True):
        pd.testing.assert_frame_equal(one.valid, other.valid)
        pd.testing.assert_frame_equal(one.quarantine, other.quarantine)
        assert one.warnings == other.warnings
        assert one.results == other.results
    assert [w.rule for w in batched[0].warnings] == ["ethnicity_not_stated_high"]
    assert batched[1].warnings == []
    assert batched[2].results["unsuccessful_expectations"] > 0
    assert batched[0].results["unsuccessful_expectations"] == 1  # the warning expectation
