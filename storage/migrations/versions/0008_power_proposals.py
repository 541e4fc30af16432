"""power changes the director confirms (proposals)

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
import sqlmodel.sql.sqltypes
from alembic import op

import storage.types

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ = (sa, sqlmodel, storage.types, op)


def upgrade() -> None:
    op.create_table(
        "power_proposal",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=24), nullable=False),
        sa.Column("subject_staff_id", sa.Integer(), nullable=False),
        sa.Column("proposed_by_staff_id", sa.Integer(), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("state", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("created_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("decided_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("decided_by_staff_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["decided_by_staff_id"], ["staff.id"]),
        sa.ForeignKeyConstraint(["proposed_by_staff_id"], ["staff.id"]),
        sa.ForeignKeyConstraint(["subject_staff_id"], ["staff.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        op.f("ix_power_proposal_expires_at"), "power_proposal", ["expires_at"], unique=False
    )
    op.create_index(op.f("ix_power_proposal_state"), "power_proposal", ["state"], unique=False)
    # an acting officer recorded before this revision was not chosen by the director through
    # the new rule: complaint notices keep reaching the director too (the safe side)
    with op.batch_alter_table("leave", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "acting_chosen_by_director",
                sa.Boolean(),
                nullable=False,
                server_default=sa.false(),
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("leave", schema=None) as batch_op:
        batch_op.drop_column("acting_chosen_by_director")
    op.drop_index(op.f("ix_power_proposal_state"), table_name="power_proposal")
    op.drop_index(op.f("ix_power_proposal_expires_at"), table_name="power_proposal")
    op.drop_table("power_proposal")
