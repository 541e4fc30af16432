"""assignment.project_id: a per-project obligation owes one assignment per project

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("assignment", schema=None) as batch_op:
        batch_op.add_column(sa.Column("project_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_assignment_project_id"), ["project_id"], unique=False)
        batch_op.create_foreign_key(
            "fk_assignment_project_id_project", "project", ["project_id"], ["id"]
        )


def downgrade() -> None:
    with op.batch_alter_table("assignment", schema=None) as batch_op:
        batch_op.drop_constraint("fk_assignment_project_id_project", type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_assignment_project_id"))
        batch_op.drop_column("project_id")
