"""Rotating the pseudonymisation key, rehearsed as docs/operations.md ("Rotating the
pseudonymisation key") describes it: a fresh warehouse, its list of received files seeded from
the old one, then `mhsip backfill` from the raw archive under the new key. The marts (people
counts and all) are the same, every patient_key differs, and the old warehouse refuses the new
key with exit 2 and changes nothing."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from tests.flows.helpers import (
    copy_months,
    db_path,
    finish_cli,
    make_landing,
    snapshot,
    start_cli,
)

pytestmark = pytest.mark.slow
TRUSTS = ["RJ8", "ZZ1"]
MONTHS = ["2024-01", "2024-02"]
OLD_KEY, NEW_KEY = "old-test-key-not-a-secret", "new-test-key-not-a-secret"


def _mhsip(args: list[str], home: Path, landing: Path, log: Path, **extra: str) -> int:
    return finish_cli(start_cli(args, home, landing, log, **extra))


def test_a_backfill_under_a_new_key_gives_the_same_marts_and_new_patient_keys(
    tmp_path: Path, registry
) -> None:
    source = make_landing(tmp_path / "source", registry, TRUSTS, len(MONTHS), seed=13)
    landing, old, new = tmp_path / "landing", tmp_path / "old", tmp_path / "new"
    landing.mkdir()
    for month in MONTHS:  # the history, month by month under the old key
        copy_months(source, landing, [month])
        code = _mhsip(["nightly"], old, landing, tmp_path / f"{month}.log",
                      MHSIP_PSEUDONYMISATION_KEY=OLD_KEY)  # fmt: skip
        assert code == 0, (tmp_path / f"{month}.log").read_text()[-2000:]
    before = snapshot(db_path(old))

    # steps 2-4: a fresh home (warehouse, lake, published copy) reading the old raw archive
    rotated = {"MHSIP_PSEUDONYMISATION_KEY": NEW_KEY, "MHSIP_ARCHIVE": str(old / "archive")}
    assert _mhsip(["db", "upgrade"], new, landing, tmp_path / "upgrade.log", **rotated) == 0
    with duckdb.connect(str(db_path(new))) as con:
        con.execute(f"ATTACH '{db_path(old)}' AS old (READ_ONLY)")
        con.execute("INSERT INTO etl_submission SELECT * FROM old.etl_submission")
    code = _mhsip(["backfill", "--from", MONTHS[0], "--to", MONTHS[-1]], new, tmp_path / "gone",
                  tmp_path / "backfill.log", **rotated)  # fmt: skip
    assert code == 0, (tmp_path / "backfill.log").read_text()[-3000:]
    after = snapshot(db_path(new))

    marts = sorted(name for name in before if name.startswith("mart_"))
    assert "mart_trust_month" in marts
    for name in marts:
        assert before[name].equals(after[name]), name
    people = before["mart_trust_month"]["people"]
    assert people.notna().any() and people.equals(after["mart_trust_month"]["people"])
    for fact in ("fct_restrictive_intervention", "fct_ward_stay_month"):
        old_keys = set(before[fact].patient_key.dropna())
        new_keys = set(after[fact].patient_key.dropna())
        assert old_keys and len(new_keys) == len(old_keys)
        assert not old_keys & new_keys, f"{fact}: a patient_key survived the rotation"

    # the old warehouse refuses the new key: exit 2, one line, nothing changed
    log = tmp_path / "refused.log"
    assert _mhsip(["nightly"], old, landing, log, MHSIP_PSEUDONYMISATION_KEY=NEW_KEY) == 2
    assert "differs from the one this warehouse was built with" in log.read_text()
    assert "Traceback" not in log.read_text()
    unchanged = snapshot(db_path(old))
    for name in before:
        assert before[name].equals(unchanged[name]), name
