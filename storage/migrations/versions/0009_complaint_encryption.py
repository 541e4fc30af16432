"""complaint content encrypted at rest; unlinkable drafts

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01

The migration has no key, so it encrypts nothing: it marks every existing complaint and entry
``sealed = false``, and ``run`` (or ``rotate-complaint-key``) encrypts them at its first start
with the key, in one transaction. Conversations in progress and the anti-abuse counts were
kept under a hash of the writer's id made with the long-term key: they are deleted here, so
that nothing tied to a person that way survives the upgrade.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
import sqlmodel.sql.sqltypes
from alembic import op

import storage.types

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ = (sa, sqlmodel, storage.types, op)


def upgrade() -> None:
    op.create_table(
        "complaint_secret",
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("use_until", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("expires_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("name"),
    )
    op.create_index(
        op.f("ix_complaint_secret_expires_at"), "complaint_secret", ["expires_at"], unique=False
    )
    # not in batch mode: on SQLite that would copy and drop the table its entries refer to
    op.add_column(
        "complaint",
        sa.Column("sealed", sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    with op.batch_alter_table("complaint_entry", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("sealed", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        # a Fernet token is longer than the text it hides
        batch_op.alter_column(
            "file_id",
            existing_type=sqlmodel.sql.sqltypes.AutoString(length=300),
            type_=sa.Text(),
            existing_nullable=True,
        )
        batch_op.alter_column(
            "file_name",
            existing_type=sqlmodel.sql.sqltypes.AutoString(length=300),
            type_=sa.Text(),
            existing_nullable=True,
        )
    op.execute(sa.text("DELETE FROM complaint_draft"))
    op.execute(sa.text("DELETE FROM complaint_throttle"))


def downgrade() -> None:
    # sealed rows stay encrypted: going back needs the key to read them (and a newer version)
    with op.batch_alter_table("complaint_entry", schema=None) as batch_op:
        batch_op.alter_column(
            "file_name",
            existing_type=sa.Text(),
            type_=sqlmodel.sql.sqltypes.AutoString(length=300),
            existing_nullable=True,
        )
        batch_op.alter_column(
            "file_id",
            existing_type=sa.Text(),
            type_=sqlmodel.sql.sqltypes.AutoString(length=300),
            existing_nullable=True,
        )
        batch_op.drop_column("sealed")
    op.drop_column("complaint", "sealed")
    op.drop_index(op.f("ix_complaint_secret_expires_at"), table_name="complaint_secret")
    op.drop_table("complaint_secret")
