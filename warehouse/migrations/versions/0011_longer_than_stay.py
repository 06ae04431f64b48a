"""Seclusion and segregation bounded by the stay (issue 17): mart_trust_month gains
`interventions_longer_than_stay` (rule intervention_longer_than_stay).

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01

The column is added at the end of mart_trust_month, as the metadata declares it. Marts are
derived, so existing rows keep NULL until a mart refresh of their month recomputes them; no
published view reads the column (it is data quality, shown in the trust's feedback), so the views
are left as they are.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.schema import SetColumnComment

from warehouse.schema import mart_trust_month

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

COLUMN = "interventions_longer_than_stay"


def upgrade() -> None:
    present = {c["name"] for c in sa.inspect(op.get_bind()).get_columns(mart_trust_month.name)}
    column = mart_trust_month.c[COLUMN]
    if COLUMN not in present:
        op.add_column(mart_trust_month.name, sa.Column(COLUMN, column.type, comment=column.comment))
    op.execute(SetColumnComment(column))


def downgrade() -> None:
    op.drop_column(mart_trust_month.name, COLUMN)
