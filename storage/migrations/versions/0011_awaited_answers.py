"""questions awaiting an answer: one table for every flow (loan drafts move into it)

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

import sqlalchemy as sa
import sqlmodel
import sqlmodel.sql.sqltypes
from alembic import op

import storage.types

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ = (sa, sqlmodel, storage.types)

_ENTRY_HOURS = 12  # the loan entry's lifetime, as bot.loans.handover.DRAFT_TTL


def upgrade() -> None:
    op.create_table(
        "awaited_answer",
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("topic", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("step", sqlmodel.sql.sqltypes.AutoString(length=24), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("updated_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["staff_id"], ["staff.id"]),
        sa.PrimaryKeyConstraint("staff_id", "topic"),
    )
    op.create_index(
        op.f("ix_awaited_answer_expires_at"), "awaited_answer", ["expires_at"], unique=False
    )
    _move_loan_drafts()
    op.drop_table("property_loan_draft")


def _move_loan_drafts() -> None:
    """Carry the loan entries in progress across, so nobody's half-typed loan is lost."""
    when, text = storage.types.UTCDateTime(), sqlmodel.sql.sqltypes.AutoString()

    def columns() -> list[sa.ColumnClause[object]]:
        return [
            sa.column("staff_id", sa.Integer()),
            sa.column("kind", text),
            sa.column("step", text),
            sa.column("data", sa.JSON()),
            sa.column("updated_at", when),
        ]

    source = sa.table("property_loan_draft", *columns())
    target = sa.table(
        "awaited_answer", *columns(), sa.column("topic", text), sa.column("expires_at", when)
    )
    bind = op.get_bind()
    for row in bind.execute(sa.select(source)).mappings().all():
        expires = row["updated_at"] + timedelta(hours=_ENTRY_HOURS)
        bind.execute(sa.insert(target).values(**row, topic="entry", expires_at=expires))


def downgrade() -> None:
    op.create_table(
        "property_loan_draft",
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("step", sqlmodel.sql.sqltypes.AutoString(length=24), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("updated_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["staff_id"], ["staff.id"]),
        sa.PrimaryKeyConstraint("staff_id"),
    )
    op.execute(
        "INSERT INTO property_loan_draft (staff_id, kind, step, data, updated_at) "
        "SELECT staff_id, kind, step, data, updated_at FROM awaited_answer WHERE topic = 'entry'"
    )
    op.drop_index(op.f("ix_awaited_answer_expires_at"), table_name="awaited_answer")
    op.drop_table("awaited_answer")
