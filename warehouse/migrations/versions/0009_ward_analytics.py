"""Ward analytics (issue 14): the new measures of mart_trust_month, people-based equity in
mart_equity_month, `mart_ward_month`,
`dim_change`, `mart_spc` keyed by ward too; the `pub_*` views again (with `pub_ward_month`).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01

New tables come from the metadata; the measure columns are added at the end of
mart_trust_month (as the metadata declares them). mart_spc's primary key gains `ward_code`,
which neither engine alters in place, so the table is rebuilt: its rows are kept, as trust and
collaborative series (`ward_code` 'ALL'), and the next mart refresh adds the ward series. A BI
role granted SELECT on the old mart_spc needs `mhsip db grant-bi` again on PostgreSQL.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.schema import SetColumnComment, SetTableComment

from warehouse.ddl import schema_elements
from warehouse.marts.published_views import WARD_VIEWS, view_statements
from warehouse.migrate import execute_sql
from warehouse.schema import METADATA, column_names, dim_change, mart_spc, mart_ward_month
from warehouse.schema_wards import equity_people_columns, measure_columns

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def _create(*tables: sa.Table) -> None:
    only = sa.MetaData()
    for table in tables:
        table.to_metadata(only)
    for element in schema_elements(only):
        op.execute(element)


def upgrade() -> None:
    bind = op.get_bind()
    _create(mart_ward_month, dim_change)
    inspector = sa.inspect(bind)
    trust_month = METADATA.tables["mart_trust_month"]
    present = {c["name"] for c in inspector.get_columns(trust_month.name)}
    for new in measure_columns():
        column = trust_month.c[new.name]
        if new.name not in present:
            op.add_column(
                trust_month.name, sa.Column(new.name, column.type, comment=column.comment)
            )
        op.execute(SetColumnComment(column))
    op.execute(SetTableComment(trust_month))
    equity = METADATA.tables["mart_equity_month"]
    present = {c["name"] for c in inspector.get_columns(equity.name)}
    for new in equity_people_columns():
        if new.name not in present:
            op.add_column(equity.name, sa.Column(new.name, new.type, comment=new.comment))
    spc_columns = {c["name"] for c in inspector.get_columns(mart_spc.name)}
    if "ward_code" not in spc_columns:
        # the views do not read mart_spc, so it can be copied aside, dropped and rebuilt (a
        # copy, not a rename: PostgreSQL's renamed table would keep the name of its key)
        execute_sql(bind, "CREATE TABLE mart_spc_before_0009 AS SELECT * FROM mart_spc")
        execute_sql(bind, "DROP TABLE mart_spc")
        _create(mart_spc)
        kept = [c for c in column_names(mart_spc) if c in spc_columns]
        names = ", ".join(kept)
        # the kept rows are trust and collaborative series: ward_code 'ALL' (WHOLE_TRUST)
        execute_sql(
            bind,
            f"INSERT INTO mart_spc ({names}, ward_code)"
            f" SELECT {names}, 'ALL' FROM mart_spc_before_0009",
        )
        execute_sql(bind, "DROP TABLE mart_spc_before_0009")
    for statement in view_statements(WARD_VIEWS):
        execute_sql(bind, statement)


def downgrade() -> None:
    raise NotImplementedError("0009 changes mart_spc's key; restore a backup to go back")
