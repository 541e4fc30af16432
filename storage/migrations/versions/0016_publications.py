"""publications: the queue of news and documents for the web officer (measures 1.2, 1.3)

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
import sqlmodel.sql.sqltypes
from alembic import op

import storage.types

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ = (sa, sqlmodel, storage.types)


def _text(length: int) -> sqlmodel.sql.sqltypes.AutoString:
    return sqlmodel.sql.sqltypes.AutoString(length=length)


def _instant() -> storage.types.UTCDateTime:
    return storage.types.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "publication",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sender_staff_id", sa.Integer(), nullable=False),
        sa.Column("destination", _text(8), nullable=False),
        sa.Column("status", _text(16), nullable=False),
        sa.Column("requested_at", _instant(), nullable=True),
        sa.Column("decided_at", _instant(), nullable=True),
        sa.Column("decided_by_staff_id", sa.Integer(), nullable=True),
        sa.Column("links", sa.JSON(), nullable=False),
        sa.Column("reason", _text(500), nullable=True),
        sa.Column("next_step", sa.Integer(), nullable=False),
        sa.Column("next_action_at", _instant(), nullable=True),
        sa.Column("created_at", _instant(), nullable=False),
        sa.ForeignKeyConstraint(["sender_staff_id"], ["staff.id"]),
        sa.ForeignKeyConstraint(["decided_by_staff_id"], ["staff.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_publication_next_action_at", "publication", ["next_action_at"])
    op.create_index(op.f("ix_publication_sender_staff_id"), "publication", ["sender_staff_id"])
    op.create_index(op.f("ix_publication_requested_at"), "publication", ["requested_at"])
    op.create_index(op.f("ix_publication_decided_at"), "publication", ["decided_at"])
    op.create_table(
        "publication_part",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("publication_id", sa.Integer(), nullable=False),
        sa.Column("kind", _text(16), nullable=False),
        sa.Column("text", sa.Text(), nullable=True),
        sa.Column("file_id", _text(300), nullable=True),
        sa.Column("file_name", _text(300), nullable=True),
        sa.Column("added_at", _instant(), nullable=False),
        sa.ForeignKeyConstraint(["publication_id"], ["publication.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        op.f("ix_publication_part_publication_id"), "publication_part", ["publication_id"]
    )
    op.create_table(
        "publication_evidence",
        sa.Column("assignment_id", sa.Integer(), nullable=False),
        sa.Column("publication_id", sa.Integer(), nullable=False),
        sa.Column("recorded_at", _instant(), nullable=False),
        sa.ForeignKeyConstraint(["assignment_id"], ["assignment.id"]),
        sa.ForeignKeyConstraint(["publication_id"], ["publication.id"]),
        sa.PrimaryKeyConstraint("assignment_id", "publication_id"),
    )


def downgrade() -> None:
    op.drop_table("publication_evidence")
    op.drop_index(op.f("ix_publication_part_publication_id"), table_name="publication_part")
    op.drop_table("publication_part")
    op.drop_index(op.f("ix_publication_decided_at"), table_name="publication")
    op.drop_index(op.f("ix_publication_requested_at"), table_name="publication")
    op.drop_index(op.f("ix_publication_sender_staff_id"), table_name="publication")
    op.drop_index("ix_publication_next_action_at", table_name="publication")
    op.drop_table("publication")
