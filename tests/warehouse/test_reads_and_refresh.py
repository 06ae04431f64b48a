"""Reads used by the flows, dimension refresh and the published copy."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import duckdb
import pandas as pd

from tests.warehouse.helpers import intervention, loaded, rejected, ri_frame, stay, ws_frame
from transforms.trust_config import CodeMaps, Registry, TrustConfig
from warehouse.partition_load import PartitionLoad
from warehouse.reads import trust_history
from warehouse.store import Warehouse

WS, RI = "ward_stays", "restrictive_interventions"


def _month(i: int) -> date:
    return date(2023 + (i - 1) // 12, (i - 1) % 12 + 1, 1)


def _ws(trust: str, month: date, n: int) -> pd.DataFrame:
    return ws_frame([stay(trust, month, f"S{i}", 3) for i in range(n)])


def test_trust_history_uses_the_last_six_loaded_months_before_the_file(wh: Warehouse) -> None:
    for i in range(1, 9):  # Jan..Aug 2023 loaded with 10, 20, ... 80 stays
        m = _month(i)
        wh.replace_partition(PartitionLoad("RX2", m, [
            loaded(WS, f"ws-{i}", _ws("RX2", m, 10 * i), sha=f"{i:064x}"),
            loaded(RI, f"ri-{i}", ri_frame([intervention("RX2", m, "I1")] * 1), sha=f"{i+20:064x}"),
        ]))  # fmt: skip
    # A rejected September and an unrelated trust do not count.
    wh.replace_partition(PartitionLoad("RX2", _month(9), [rejected(WS, "ws-9r", sha="f" * 64)]))
    wh.replace_partition(PartitionLoad("RNU", _month(3), [
        loaded(WS, "rnu", _ws("RNU", _month(3), 99), sha="e" * 64)]))  # fmt: skip

    history = trust_history(wh, "RX2").for_file(WS, _month(8))
    assert history.recent_row_counts == [20, 30, 40, 50, 60, 70]
    assert history.months_with_history == 7
    assert history.recent_intervention_counts == [1] * 6
    assert history.loaded_hashes_other_months == {
        f"{i:064x}" for i in [*range(1, 8), *range(21, 28)]
    }
    fresh = trust_history(wh, "RWX").for_file(WS, _month(1))
    assert (fresh.recent_row_counts, fresh.months_with_history) == ([], 0)


def test_submission_matrix_and_archive_list_show_the_latest_version(wh: Warehouse) -> None:
    jan, feb = date(2024, 1, 1), date(2024, 2, 1)
    t0, t1 = datetime(2024, 3, 1, tzinfo=UTC), datetime(2024, 3, 5, tzinfo=UTC)
    wh.replace_partition(PartitionLoad("RX2", jan, [
        loaded(WS, "a", _ws("RX2", jan, 2), sha="a" * 64, received_at=t0)]))  # fmt: skip
    wh.replace_partition(PartitionLoad("RX2", jan, [
        rejected(WS, "b", sha="b" * 64, received_at=t1)]))  # fmt: skip
    wh.replace_partition(PartitionLoad("RNU", feb, [
        loaded(WS, "c", _ws("RNU", feb, 1), sha="c" * 64, received_at=t0)]))  # fmt: skip

    matrix = wh.submission_matrix([jan])
    columns = ["trust_code", "dataset", "status", "rows_received", "rejection_rule"]
    assert matrix[columns].values.tolist() == [["RX2", WS, "rejected", 5, "implausible_row_count"]]
    assert len(wh.submission_matrix()) == 2
    archived = wh.archived_submissions(["RX2", "RNU"], jan, feb)
    assert archived[["trust_code", "file_sha256"]].values.tolist() == [
        ["RNU", "c" * 64], ["RX2", "b" * 64]]  # fmt: skip
    assert wh.archived_submissions(["RNU"], jan, jan).empty


def test_refresh_dimensions_from_registry_codes_and_facts(wh: Warehouse) -> None:
    registry = Registry(trusts={
        "RX2": TrustConfig(ods_code="RX2", name="Sussex Partnership", region="Y59", format="csv"),
        "ZZ1": TrustConfig(ods_code="ZZ1", name="Synthetic Independent", region="Y58",
                           format="xlsx", provider_type="independent", code_confirmed=False),
    }, codes=CodeMaps(maps={}))  # fmt: skip
    jan, feb = date(2024, 1, 1), date(2024, 2, 1)
    wh.replace_partition(PartitionLoad("RX2", jan, [loaded(WS, "a", ws_frame([
        stay("RX2", jan, "S1", 3, ward_code="W1", ward_type_code="03")]))]))  # fmt: skip
    wh.replace_partition(PartitionLoad("RX2", feb, [loaded(WS, "b", ws_frame([
        stay("RX2", feb, "S1", 3, ward_code="W1", ward_type_code="05")]))]))  # fmt: skip
    wh.refresh_dimensions(registry)
    wh.refresh_dimensions(registry)  # whole replacement: no duplicates

    trusts = wh.query("SELECT trust_code, region_name, provider_type, code_confirmed"
                      " FROM dim_trust ORDER BY 1").values.tolist()  # fmt: skip
    assert trusts == [["RX2", "South East", "nhs", True],
                      ["ZZ1", "South West", "independent", False]]  # fmt: skip
    types = wh.query("SELECT * FROM dim_intervention_type ORDER BY display_order")
    assert len(types) == 15 and types["intervention_type_code"].tolist()[:2] == ["15", "14"]
    assert types.set_index("intervention_type_code").loc["14", "is_rapid_tranquillisation"]
    ethnicity = wh.query("SELECT * FROM dim_ethnicity").set_index("ethnic_category_code")
    assert len(ethnicity) == 18 and ethnicity.loc["M", "ethnic_group"] == "Black or Black British"
    months = wh.query("SELECT month_label, financial_year, days_in_month FROM dim_month ORDER BY 1")
    assert months.values.tolist() == [["2024-01", "2023/24", 31], ["2024-02", "2023/24", 29]]
    ward = wh.query("SELECT * FROM dim_ward").iloc[0]
    assert (ward["ward_code"], ward["ward_type_code"], ward["ward_type_label"]) == (
        "W1", "05", "Learning disabilities ward")  # fmt: skip
    assert ward["first_month"] == pd.Timestamp(jan) and ward["last_month"] == pd.Timestamp(feb)


def test_publish_replaces_a_consistent_read_only_copy(
    wh: Warehouse, tmp_path: Path, engine: str
) -> None:
    if engine == "postgres":  # BI reads the database itself: nothing to copy
        assert wh.checkpoint_and_publish(tmp_path / "x.duckdb") == wh.url  # type: ignore[attr-defined]
        assert not (tmp_path / "x.duckdb").exists()
        return
    jan = date(2024, 1, 1)
    wh.replace_partition(PartitionLoad("RX2", jan, [loaded(WS, "a", _ws("RX2", jan, 4))]))
    target = tmp_path / "published" / "mhsip.duckdb"
    full = tmp_path / "operators" / "mhsip-operators-full.duckdb"
    assert wh.checkpoint_and_publish(target, full) == target
    wh.replace_partition(PartitionLoad("RX2", jan, [loaded(WS, "b", _ws("RX2", jan, 7))]))
    wh.refresh_marts(None)
    wh.checkpoint_and_publish(target, full)

    bed_days = "SELECT occupied_bed_days FROM mart_trust_month WHERE trust_code = 'RX2'"
    with duckdb.connect(str(full), read_only=True) as con:
        assert con.sql("SELECT COUNT(*) FROM fct_ward_stay_month").fetchone() == (7,)
        expected = con.sql(bed_days).fetchone()
    with duckdb.connect(str(target), read_only=True) as con:  # the BI copy: the new marts
        assert con.sql(bed_days).fetchone() == expected == (21,)
    assert [p.name for p in target.parent.iterdir()] == ["mhsip.duckdb"]
    assert [p.name for p in full.parent.iterdir()] == [full.name]
