"""memos to the director: numbered per fiscal year, their lines and their .docx files

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
import sqlmodel.sql.sqltypes
from alembic import op

import storage.types

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ = (sa, sqlmodel, storage.types)


def _text(length: int) -> sqlmodel.sql.sqltypes.AutoString:
    return sqlmodel.sql.sqltypes.AutoString(length=length)


def _instant() -> storage.types.UTCDateTime:
    return storage.types.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "memo_counter",
        sa.Column("fiscal_year", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("last_number", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("fiscal_year"),
    )
    op.create_table(
        "memo",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("fiscal_year", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("period_id", sa.Integer(), nullable=False),
        sa.Column("obligation_id", sa.Integer(), nullable=False),
        sa.Column("dated", sa.Date(), nullable=False),
        sa.Column("created_at", _instant(), nullable=False),
        sa.Column("state", _text(16), nullable=False),
        sa.Column("review", _text(16), nullable=False),
        sa.Column("sent_to_staff_id", sa.Integer(), nullable=True),
        sa.Column("sent_at", _instant(), nullable=True),
        sa.Column("proposed_at", _instant(), nullable=True),
        sa.Column("proposed_by_staff_id", sa.Integer(), nullable=True),
        sa.Column("order_kind", _text(24), nullable=True),
        sa.Column("order_text", sa.Text(), nullable=True),
        sa.Column("new_due_at", _instant(), nullable=True),
        sa.Column("ordered_at", _instant(), nullable=True),
        sa.Column("ordered_by_staff_id", sa.Integer(), nullable=True),
        sa.Column("outcome", _text(24), nullable=True),
        sa.Column("closed_at", _instant(), nullable=True),
        sa.ForeignKeyConstraint(["obligation_id"], ["obligation.id"]),
        sa.ForeignKeyConstraint(["ordered_by_staff_id"], ["staff.id"]),
        sa.ForeignKeyConstraint(["period_id"], ["period.id"]),
        sa.ForeignKeyConstraint(["proposed_by_staff_id"], ["staff.id"]),
        sa.ForeignKeyConstraint(["sent_to_staff_id"], ["staff.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("fiscal_year", "number", name="uq_memo_fiscal_year_number"),
    )
    op.create_index(op.f("ix_memo_fiscal_year"), "memo", ["fiscal_year"], unique=False)
    op.create_index(op.f("ix_memo_period_id"), "memo", ["period_id"], unique=False)
    op.create_index(op.f("ix_memo_state"), "memo", ["state"], unique=False)
    op.create_table(
        "memo_line",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("memo_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("assignment_id", sa.Integer(), nullable=False),
        sa.Column("name", _text(200), nullable=False),
        sa.Column("group_name", _text(500), nullable=False),
        sa.Column("position", _text(300), nullable=False),
        sa.Column("due_at", _instant(), nullable=False),
        sa.Column("followups", sa.JSON(), nullable=False),
        sa.Column("outcome", _text(24), nullable=True),
        sa.ForeignKeyConstraint(["assignment_id"], ["assignment.id"]),
        sa.ForeignKeyConstraint(["memo_id"], ["memo.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("memo_id", "assignment_id", name="uq_memo_line_assignment"),
        sa.UniqueConstraint("memo_id", "number", name="uq_memo_line_number"),
    )
    op.create_index(
        op.f("ix_memo_line_assignment_id"), "memo_line", ["assignment_id"], unique=False
    )
    op.create_index(op.f("ix_memo_line_memo_id"), "memo_line", ["memo_id"], unique=False)
    op.create_table(
        "memo_document",
        sa.Column("memo_id", sa.Integer(), nullable=False),
        sa.Column("kind", _text(16), nullable=False),
        sa.Column("content", sa.JSON(), nullable=False),
        sa.Column("file", sa.LargeBinary(), nullable=False),
        sa.Column("rendered_at", _instant(), nullable=False),
        sa.ForeignKeyConstraint(["memo_id"], ["memo.id"]),
        sa.PrimaryKeyConstraint("memo_id", "kind"),
    )


def downgrade() -> None:
    op.drop_table("memo_document")
    op.drop_index(op.f("ix_memo_line_memo_id"), table_name="memo_line")
    op.drop_index(op.f("ix_memo_line_assignment_id"), table_name="memo_line")
    op.drop_table("memo_line")
    op.drop_index(op.f("ix_memo_state"), table_name="memo")
    op.drop_index(op.f("ix_memo_period_id"), table_name="memo")
    op.drop_index(op.f("ix_memo_fiscal_year"), table_name="memo")
    op.drop_table("memo")
    op.drop_table("memo_counter")
