"""delivery through outages: per-chat pace shared by processes, outages, delayed-since

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
import sqlmodel.sql.sqltypes
from alembic import op

import storage.types

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ = (sa, sqlmodel, storage.types)


def upgrade() -> None:
    op.create_table(
        "chat_pace",
        sa.Column("chat_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("next_send_at", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("chat_id"),
    )
    op.create_table(
        "delivery_outage",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("started_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("ended_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("open", sa.Boolean(), nullable=True),
        sa.Column("last_error", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
        sa.Column("delayed", sa.Integer(), nullable=False),
        sa.Column("expired", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("open"),
    )
    with op.batch_alter_table("outbox_message") as batch:
        batch.add_column(
            sa.Column("failed_since", storage.types.UTCDateTime(timezone=True), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("outbox_message") as batch:
        batch.drop_column("failed_since")
    op.drop_table("delivery_outage")
    op.drop_table("chat_pace")
