"""Read a trust's loading history from etl_submission (see expectations.history)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from expectations.history import TrustHistory

if TYPE_CHECKING:
    from warehouse.store import Warehouse

LOADED_VERSIONS = """
SELECT reporting_month, dataset, file_sha256, status, rows_received
FROM etl_submission
WHERE trust_code = ? AND status IN ('loaded', 'superseded')
ORDER BY reporting_month, dataset"""


def trust_history(warehouse: Warehouse, trust_code: str) -> TrustHistory:
    history = TrustHistory(trust_code)
    for row in warehouse.query(LOADED_VERSIONS, [trust_code]).itertuples(index=False):
        month = pd.Timestamp(str(row.reporting_month)).date().replace(day=1)
        history.hashes.setdefault(month, set()).add(str(row.file_sha256))
        if row.status == "loaded":
            history.record_loaded(
                month, str(row.dataset), str(row.file_sha256), int(str(row.rows_received))
            )  # fmt: skip
    return history
