"""board_display: the TV board's display logins (REC-13, issue 15)

Revision ID: b7d2f4e81c90
Revises: e1a5d0c0b002
"""
import sqlalchemy as sa
from alembic import op

import services.common.types

revision, down_revision = "b7d2f4e81c90", "e1a5d0c0b002"
branch_labels = depends_on = None


def upgrade() -> None:
    op.create_table(
        "board_display",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", services.common.types.UtcDateTime(), nullable=False),
        sa.Column("revoked_at", services.common.types.UtcDateTime(), nullable=True),
        sa.Column("revoked_by", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_board_display_project_id", "board_display", ["project_id"])


def downgrade() -> None:
    op.drop_index("ix_board_display_project_id", table_name="board_display")
    op.drop_table("board_display")
